using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CommunityApp.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Polls : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "polls",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    community_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    creator_id = table.Column<string>(type: "TEXT", nullable: false),
                    council_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    pool_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    question = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    description = table.Column<string>(type: "TEXT", maxLength: 5000, nullable: true),
                    kind = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    points = table.Column<int>(type: "INTEGER", nullable: true),
                    visibility = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    opened_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    ends_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    closed_early_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    remind_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    created_by = table.Column<string>(type: "TEXT", maxLength: 450, nullable: true),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_polls", x => x.id);
                    table.CheckConstraint("ck_polls_ends", "ends_at > opened_at OR closed_early_at IS NOT NULL");
                    table.CheckConstraint("ck_polls_points", "(kind = 'SingleChoice' AND points IS NULL) OR (kind = 'DotVoting' AND points BETWEEN 1 AND 100)");
                    table.CheckConstraint("ck_polls_pool_council", "pool_id IS NULL OR council_id IS NOT NULL");
                    table.ForeignKey(
                        name: "fk_polls_communities_community_id",
                        column: x => x.community_id,
                        principalTable: "communities",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_polls_councils_council_id",
                        column: x => x.council_id,
                        principalTable: "councils",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_polls_pools_pool_id",
                        column: x => x.pool_id,
                        principalTable: "pools",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_polls_users_creator_id",
                        column: x => x.creator_id,
                        principalTable: "asp_net_users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "poll_comments",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    poll_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    author_id = table.Column<string>(type: "TEXT", nullable: false),
                    body = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    deleted_at = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_poll_comments", x => x.id);
                    table.ForeignKey(
                        name: "fk_poll_comments_polls_poll_id",
                        column: x => x.poll_id,
                        principalTable: "polls",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_poll_comments_users_author_id",
                        column: x => x.author_id,
                        principalTable: "asp_net_users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "poll_options",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    poll_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    position = table.Column<int>(type: "INTEGER", nullable: false),
                    text = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    normalized_text = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_poll_options", x => x.id);
                    table.UniqueConstraint("ak_poll_options_poll_id_id", x => new { x.poll_id, x.id });
                    table.CheckConstraint("ck_poll_options_position", "position >= 0 AND position < 10");
                    table.ForeignKey(
                        name: "fk_poll_options_polls_poll_id",
                        column: x => x.poll_id,
                        principalTable: "polls",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "poll_votes",
                columns: table => new
                {
                    poll_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    user_id = table.Column<string>(type: "TEXT", nullable: false),
                    reason = table.Column<string>(type: "TEXT", maxLength: 280, nullable: true),
                    at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_poll_votes", x => new { x.poll_id, x.user_id });
                    table.ForeignKey(
                        name: "fk_poll_votes_polls_poll_id",
                        column: x => x.poll_id,
                        principalTable: "polls",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_poll_votes_users_user_id",
                        column: x => x.user_id,
                        principalTable: "asp_net_users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "poll_vote_points",
                columns: table => new
                {
                    poll_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    user_id = table.Column<string>(type: "TEXT", nullable: false),
                    option_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    points = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_poll_vote_points", x => new { x.poll_id, x.user_id, x.option_id });
                    table.CheckConstraint("ck_poll_vote_points_points", "points BETWEEN 1 AND 100");
                    table.ForeignKey(
                        name: "fk_poll_vote_points_poll_options_poll_id_option_id",
                        columns: x => new { x.poll_id, x.option_id },
                        principalTable: "poll_options",
                        principalColumns: new[] { "poll_id", "id" },
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_poll_vote_points_poll_votes_poll_id_user_id",
                        columns: x => new { x.poll_id, x.user_id },
                        principalTable: "poll_votes",
                        principalColumns: new[] { "poll_id", "user_id" },
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_poll_comments_author_id",
                table: "poll_comments",
                column: "author_id");

            migrationBuilder.CreateIndex(
                name: "ix_poll_comments_poll_id_created_at",
                table: "poll_comments",
                columns: new[] { "poll_id", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_poll_options_poll_id_normalized_text",
                table: "poll_options",
                columns: new[] { "poll_id", "normalized_text" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_poll_options_poll_id_position",
                table: "poll_options",
                columns: new[] { "poll_id", "position" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_poll_vote_points_poll_id_option_id",
                table: "poll_vote_points",
                columns: new[] { "poll_id", "option_id" });

            migrationBuilder.CreateIndex(
                name: "ix_poll_votes_poll_id_at",
                table: "poll_votes",
                columns: new[] { "poll_id", "at" });

            migrationBuilder.CreateIndex(
                name: "ix_poll_votes_user_id",
                table: "poll_votes",
                column: "user_id");

            migrationBuilder.CreateIndex(
                name: "ix_polls_community_id_ends_at",
                table: "polls",
                columns: new[] { "community_id", "ends_at" });

            migrationBuilder.CreateIndex(
                name: "ix_polls_council_id_ends_at",
                table: "polls",
                columns: new[] { "council_id", "ends_at" });

            migrationBuilder.CreateIndex(
                name: "ix_polls_creator_id",
                table: "polls",
                column: "creator_id");

            migrationBuilder.CreateIndex(
                name: "ix_polls_pool_id",
                table: "polls",
                column: "pool_id");

            migrationBuilder.CreateIndex(
                name: "ix_polls_remind_at",
                table: "polls",
                column: "remind_at",
                filter: "remind_at IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "poll_comments");

            migrationBuilder.DropTable(
                name: "poll_vote_points");

            migrationBuilder.DropTable(
                name: "poll_options");

            migrationBuilder.DropTable(
                name: "poll_votes");

            migrationBuilder.DropTable(
                name: "polls");
        }
    }
}
