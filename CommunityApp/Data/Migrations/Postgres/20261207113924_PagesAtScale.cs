using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CommunityApp.Data.Migrations.Postgres
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

            // Infix search of member names (LIKE '%…%') from trigram indexes, not a scan of every member (PostgreSQL only;
            // pg_trgm ships with PostgreSQL's contrib modules and is a trusted extension, so the database owner may create it).
            migrationBuilder.Sql("CREATE EXTENSION IF NOT EXISTS pg_trgm;");
            migrationBuilder.Sql("CREATE INDEX ix_asp_net_users_display_name_trgm ON asp_net_users USING gin (lower(display_name) gin_trgm_ops);");
            migrationBuilder.Sql("CREATE INDEX ix_asp_net_users_normalized_user_name_trgm ON asp_net_users USING gin (normalized_user_name gin_trgm_ops);");
            migrationBuilder.Sql("CREATE INDEX ix_asp_net_users_normalized_email_trgm ON asp_net_users USING gin (normalized_email gin_trgm_ops);");
            // Browsing shares sorted by "most available": the stored free units, walked in order (WealthQueries.SearchAsync).
            migrationBuilder.Sql("""
                CREATE INDEX ix_shares_browse_available ON shares (community_id, (units_offered - units_reserved - units_given) DESC, id DESC)
                WHERE status = 'Active' AND target = 'Community' AND deleted_at IS NULL;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP INDEX IF EXISTS ix_shares_browse_available;");
            migrationBuilder.Sql("DROP INDEX IF EXISTS ix_asp_net_users_normalized_email_trgm;");
            migrationBuilder.Sql("DROP INDEX IF EXISTS ix_asp_net_users_normalized_user_name_trgm;");
            migrationBuilder.Sql("DROP INDEX IF EXISTS ix_asp_net_users_display_name_trgm;");

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
