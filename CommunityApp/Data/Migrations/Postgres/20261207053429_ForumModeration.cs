using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CommunityApp.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class ForumModeration : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "forum_flags",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    post_id = table.Column<Guid>(type: "uuid", nullable: false),
                    community_id = table.Column<Guid>(type: "uuid", nullable: false),
                    flagger_id = table.Column<string>(type: "text", nullable: false),
                    reason = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    text = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    weight = table.Column<int>(type: "integer", nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    outcome = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: true),
                    reviewed_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    reviewed_by = table.Column<string>(type: "character varying(450)", maxLength: 450, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_forum_flags", x => x.id);
                    table.CheckConstraint("ck_forum_flags_text", "reason <> 'Other' OR text IS NOT NULL");
                    table.CheckConstraint("ck_forum_flags_weight", "weight >= 1");
                    table.ForeignKey(
                        name: "fk_forum_flags_asp_net_users_reviewed_by",
                        column: x => x.reviewed_by,
                        principalTable: "asp_net_users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_forum_flags_communities_community_id",
                        column: x => x.community_id,
                        principalTable: "communities",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_forum_flags_forum_posts_post_id",
                        column: x => x.post_id,
                        principalTable: "forum_posts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_forum_flags_users_flagger_id",
                        column: x => x.flagger_id,
                        principalTable: "asp_net_users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "ix_forum_posts_community_id_review_requested_at",
                table: "forum_posts",
                columns: new[] { "community_id", "review_requested_at" },
                filter: "review_requested_at IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_forum_flags_community_id_outcome",
                table: "forum_flags",
                columns: new[] { "community_id", "outcome" });

            migrationBuilder.CreateIndex(
                name: "ix_forum_flags_flagger_id",
                table: "forum_flags",
                column: "flagger_id");

            migrationBuilder.CreateIndex(
                name: "ix_forum_flags_post_id_flagger_id",
                table: "forum_flags",
                columns: new[] { "post_id", "flagger_id" },
                unique: true,
                filter: "outcome IS NULL OR outcome <> 'Disagreed'");

            migrationBuilder.CreateIndex(
                name: "ix_forum_flags_reviewed_by",
                table: "forum_flags",
                column: "reviewed_by");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "forum_flags");

            migrationBuilder.DropIndex(
                name: "ix_forum_posts_community_id_review_requested_at",
                table: "forum_posts");
        }
    }
}
