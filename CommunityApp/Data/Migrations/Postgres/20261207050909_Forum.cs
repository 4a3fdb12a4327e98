using System;
using Microsoft.EntityFrameworkCore.Migrations;
using NpgsqlTypes;

#nullable disable

namespace CommunityApp.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class Forum : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "forum_categories",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    community_id = table.Column<Guid>(type: "uuid", nullable: false),
                    name = table.Column<string>(type: "character varying(60)", maxLength: 60, nullable: false),
                    normalized_name = table.Column<string>(type: "character varying(60)", maxLength: 60, nullable: false),
                    description = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    position = table.Column<int>(type: "integer", nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    created_by = table.Column<string>(type: "character varying(450)", maxLength: 450, nullable: true),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_forum_categories", x => x.id);
                    table.ForeignKey(
                        name: "fk_forum_categories_communities_community_id",
                        column: x => x.community_id,
                        principalTable: "communities",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "forum_mentions",
                columns: table => new
                {
                    post_id = table.Column<Guid>(type: "uuid", nullable: false),
                    user_id = table.Column<string>(type: "text", nullable: false),
                    at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_forum_mentions", x => new { x.post_id, x.user_id });
                    table.ForeignKey(
                        name: "fk_forum_mentions_asp_net_users_user_id",
                        column: x => x.user_id,
                        principalTable: "asp_net_users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "forum_posts",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    thread_id = table.Column<Guid>(type: "uuid", nullable: false),
                    community_id = table.Column<Guid>(type: "uuid", nullable: false),
                    author_id = table.Column<string>(type: "text", nullable: false),
                    body = table.Column<string>(type: "character varying(20000)", maxLength: 20000, nullable: false),
                    is_opening = table.Column<bool>(type: "boolean", nullable: false),
                    score = table.Column<int>(type: "integer", nullable: false),
                    edited_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    flag_weight = table.Column<int>(type: "integer", nullable: false, defaultValue: 0),
                    hidden_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    review_requested_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    reflag_blocked_until = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    created_by = table.Column<string>(type: "character varying(450)", maxLength: 450, nullable: true),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    deleted_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    search_vector = table.Column<NpgsqlTsVector>(type: "tsvector", nullable: true, computedColumnSql: "to_tsvector('simple', body)", stored: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_forum_posts", x => x.id);
                    table.CheckConstraint("ck_forum_posts_flag_weight", "flag_weight >= 0");
                    table.ForeignKey(
                        name: "fk_forum_posts_communities_community_id",
                        column: x => x.community_id,
                        principalTable: "communities",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_forum_posts_users_author_id",
                        column: x => x.author_id,
                        principalTable: "asp_net_users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "forum_threads",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    community_id = table.Column<Guid>(type: "uuid", nullable: false),
                    category_id = table.Column<Guid>(type: "uuid", nullable: false),
                    author_id = table.Column<string>(type: "text", nullable: false),
                    title = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    is_pinned = table.Column<bool>(type: "boolean", nullable: false),
                    is_locked = table.Column<bool>(type: "boolean", nullable: false),
                    best_answer_post_id = table.Column<Guid>(type: "uuid", nullable: true),
                    post_count = table.Column<int>(type: "integer", nullable: false),
                    last_post_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    created_by = table.Column<string>(type: "character varying(450)", maxLength: 450, nullable: true),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    deleted_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    search_vector = table.Column<NpgsqlTsVector>(type: "tsvector", nullable: true, computedColumnSql: "to_tsvector('simple', title)", stored: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_forum_threads", x => x.id);
                    table.CheckConstraint("ck_forum_threads_post_count", "post_count >= 0");
                    table.ForeignKey(
                        name: "fk_forum_threads_communities_community_id",
                        column: x => x.community_id,
                        principalTable: "communities",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_forum_threads_forum_categories_category_id",
                        column: x => x.category_id,
                        principalTable: "forum_categories",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_forum_threads_forum_posts_best_answer_post_id",
                        column: x => x.best_answer_post_id,
                        principalTable: "forum_posts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "fk_forum_threads_users_author_id",
                        column: x => x.author_id,
                        principalTable: "asp_net_users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "forum_votes",
                columns: table => new
                {
                    post_id = table.Column<Guid>(type: "uuid", nullable: false),
                    user_id = table.Column<string>(type: "text", nullable: false),
                    value = table.Column<short>(type: "smallint", nullable: false),
                    at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_forum_votes", x => new { x.post_id, x.user_id });
                    table.CheckConstraint("ck_forum_votes_value", "value IN (-1, 1)");
                    table.ForeignKey(
                        name: "fk_forum_votes_asp_net_users_user_id",
                        column: x => x.user_id,
                        principalTable: "asp_net_users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_forum_votes_forum_posts_post_id",
                        column: x => x.post_id,
                        principalTable: "forum_posts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "forum_thread_tags",
                columns: table => new
                {
                    thread_id = table.Column<Guid>(type: "uuid", nullable: false),
                    tag = table.Column<string>(type: "character varying(30)", maxLength: 30, nullable: false),
                    community_id = table.Column<Guid>(type: "uuid", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_forum_thread_tags", x => new { x.thread_id, x.tag });
                    table.ForeignKey(
                        name: "fk_forum_thread_tags_communities_community_id",
                        column: x => x.community_id,
                        principalTable: "communities",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_forum_thread_tags_forum_threads_thread_id",
                        column: x => x.thread_id,
                        principalTable: "forum_threads",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_forum_categories_community_id_normalized_name",
                table: "forum_categories",
                columns: new[] { "community_id", "normalized_name" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_forum_categories_community_id_position",
                table: "forum_categories",
                columns: new[] { "community_id", "position" });

            migrationBuilder.CreateIndex(
                name: "ix_forum_mentions_user_id",
                table: "forum_mentions",
                column: "user_id");

            migrationBuilder.CreateIndex(
                name: "ix_forum_posts_author_id",
                table: "forum_posts",
                column: "author_id");

            migrationBuilder.CreateIndex(
                name: "ix_forum_posts_community_id",
                table: "forum_posts",
                column: "community_id");

            migrationBuilder.CreateIndex(
                name: "ix_forum_posts_search_vector",
                table: "forum_posts",
                column: "search_vector")
                .Annotation("Npgsql:IndexMethod", "GIN");

            migrationBuilder.CreateIndex(
                name: "ix_forum_posts_thread_id_created_at_id",
                table: "forum_posts",
                columns: new[] { "thread_id", "created_at", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_forum_posts_thread_id_opening",
                table: "forum_posts",
                column: "thread_id",
                unique: true,
                filter: "is_opening");

            migrationBuilder.CreateIndex(
                name: "ix_forum_thread_tags_community_id_tag",
                table: "forum_thread_tags",
                columns: new[] { "community_id", "tag" });

            migrationBuilder.CreateIndex(
                name: "ix_forum_threads_author_id",
                table: "forum_threads",
                column: "author_id");

            migrationBuilder.CreateIndex(
                name: "ix_forum_threads_best_answer_post_id",
                table: "forum_threads",
                column: "best_answer_post_id");

            migrationBuilder.CreateIndex(
                name: "ix_forum_threads_category_id_is_pinned_last_post_at_id",
                table: "forum_threads",
                columns: new[] { "category_id", "is_pinned", "last_post_at", "id" },
                filter: "deleted_at IS NULL");

            migrationBuilder.CreateIndex(
                name: "ix_forum_threads_community_id_last_post_at",
                table: "forum_threads",
                columns: new[] { "community_id", "last_post_at" });

            migrationBuilder.CreateIndex(
                name: "ix_forum_threads_search_vector",
                table: "forum_threads",
                column: "search_vector")
                .Annotation("Npgsql:IndexMethod", "GIN");

            migrationBuilder.CreateIndex(
                name: "ix_forum_votes_user_id",
                table: "forum_votes",
                column: "user_id");

            migrationBuilder.AddForeignKey(
                name: "fk_forum_mentions_forum_posts_post_id",
                table: "forum_mentions",
                column: "post_id",
                principalTable: "forum_posts",
                principalColumn: "id",
                onDelete: ReferentialAction.Cascade);

            migrationBuilder.AddForeignKey(
                name: "fk_forum_posts_forum_threads_thread_id",
                table: "forum_posts",
                column: "thread_id",
                principalTable: "forum_threads",
                principalColumn: "id",
                onDelete: ReferentialAction.Cascade);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "fk_forum_threads_forum_posts_best_answer_post_id",
                table: "forum_threads");

            migrationBuilder.DropTable(
                name: "forum_mentions");

            migrationBuilder.DropTable(
                name: "forum_thread_tags");

            migrationBuilder.DropTable(
                name: "forum_votes");

            migrationBuilder.DropTable(
                name: "forum_posts");

            migrationBuilder.DropTable(
                name: "forum_threads");

            migrationBuilder.DropTable(
                name: "forum_categories");
        }
    }
}
