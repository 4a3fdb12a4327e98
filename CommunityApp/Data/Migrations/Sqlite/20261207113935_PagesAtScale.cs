using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CommunityApp.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class PagesAtScale : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_audit_log_community_id_created_at",
                table: "audit_log");

            migrationBuilder.CreateIndex(
                name: "ix_shares_community_id_expires_at_id",
                table: "shares",
                columns: new[] { "community_id", "expires_at", "id" },
                descending: new[] { false, false, true },
                filter: "status = 'Active' AND target = 'Community' AND deleted_at IS NULL");

            migrationBuilder.CreateIndex(
                name: "ix_memberships_community_id_created_at_id",
                table: "memberships",
                columns: new[] { "community_id", "created_at", "id" },
                filter: "deleted_at IS NULL");

            migrationBuilder.CreateIndex(
                name: "ix_audit_log_community_id_created_at_id",
                table: "audit_log",
                columns: new[] { "community_id", "created_at", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_asp_net_users_display_name_user_name",
                table: "asp_net_users",
                columns: new[] { "display_name", "user_name" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_shares_community_id_expires_at_id",
                table: "shares");

            migrationBuilder.DropIndex(
                name: "ix_memberships_community_id_created_at_id",
                table: "memberships");

            migrationBuilder.DropIndex(
                name: "ix_audit_log_community_id_created_at_id",
                table: "audit_log");

            migrationBuilder.DropIndex(
                name: "ix_asp_net_users_display_name_user_name",
                table: "asp_net_users");

            migrationBuilder.CreateIndex(
                name: "ix_audit_log_community_id_created_at",
                table: "audit_log",
                columns: new[] { "community_id", "created_at" });
        }
    }
}
