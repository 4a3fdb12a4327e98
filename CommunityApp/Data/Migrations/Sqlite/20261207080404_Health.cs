using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CommunityApp.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Health : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "responded_at",
                table: "share_requests",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "ix_trust_history_community_id_action_created_at",
                table: "trust_history",
                columns: new[] { "community_id", "action", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_shares_community_id_created_at",
                table: "shares",
                columns: new[] { "community_id", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_shares_item_id_created_at",
                table: "shares",
                columns: new[] { "item_id", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_needs_community_id_created_at",
                table: "needs",
                columns: new[] { "community_id", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_forum_posts_community_id_created_at",
                table: "forum_posts",
                columns: new[] { "community_id", "created_at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_trust_history_community_id_action_created_at",
                table: "trust_history");

            migrationBuilder.DropIndex(
                name: "ix_shares_community_id_created_at",
                table: "shares");

            migrationBuilder.DropIndex(
                name: "ix_shares_item_id_created_at",
                table: "shares");

            migrationBuilder.DropIndex(
                name: "ix_needs_community_id_created_at",
                table: "needs");

            migrationBuilder.DropIndex(
                name: "ix_forum_posts_community_id_created_at",
                table: "forum_posts");

            migrationBuilder.DropColumn(
                name: "responded_at",
                table: "share_requests");
        }
    }
}
