using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CommunityApp.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class MemberCount : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "member_count",
                table: "communities",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            // Every live membership counted once, then kept by the database in the same transaction as each change.
            // SQLite drops a table's triggers when a migration rebuilds it: a later migration that rebuilds memberships
            // must create these again (MemberCountTests fails otherwise).
            migrationBuilder.Sql("""
                UPDATE communities SET member_count = (SELECT count(*) FROM memberships m WHERE m.community_id = communities.id AND m.deleted_at IS NULL);
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER memberships_member_count_insert AFTER INSERT ON memberships WHEN NEW.deleted_at IS NULL
                BEGIN
                  UPDATE communities SET member_count = member_count + 1 WHERE id = NEW.community_id;
                END;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER memberships_member_count_delete AFTER DELETE ON memberships WHEN OLD.deleted_at IS NULL
                BEGIN
                  UPDATE communities SET member_count = member_count - 1 WHERE id = OLD.community_id;
                END;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER memberships_member_count_update AFTER UPDATE OF deleted_at, community_id ON memberships
                  WHEN OLD.deleted_at IS NOT NEW.deleted_at OR OLD.community_id IS NOT NEW.community_id
                BEGIN
                  UPDATE communities SET member_count = member_count - 1 WHERE id = OLD.community_id AND OLD.deleted_at IS NULL;
                  UPDATE communities SET member_count = member_count + 1 WHERE id = NEW.community_id AND NEW.deleted_at IS NULL;
                END;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS memberships_member_count_update;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS memberships_member_count_delete;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS memberships_member_count_insert;");

            migrationBuilder.DropColumn(
                name: "member_count",
                table: "communities");
        }
    }
}
