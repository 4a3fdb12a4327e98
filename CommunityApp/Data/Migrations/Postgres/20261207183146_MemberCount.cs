using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CommunityApp.Data.Migrations.Postgres
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
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddCheckConstraint(
                name: "ck_communities_member_count",
                table: "communities",
                sql: "member_count >= 0");

            // Every live membership counted once, then kept by the database in the same transaction as each change.
            migrationBuilder.Sql("""
                UPDATE communities c SET member_count = (SELECT count(*) FROM memberships m WHERE m.community_id = c.id AND m.deleted_at IS NULL);
                """);
            // Inserts and deletes: once per statement, from its transition table, so that a bulk insert of 500,000
            // memberships updates its community's row once, not 500,000 times (each a new row version that the next
            // update, in the same transaction, reaches by walking all the versions before it).
            migrationBuilder.Sql("""
                CREATE FUNCTION memberships_count_members() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                  IF TG_OP = 'INSERT' THEN
                    UPDATE communities c SET member_count = c.member_count + d.n
                    FROM (SELECT community_id, count(*)::int AS n FROM joined WHERE deleted_at IS NULL GROUP BY community_id) d
                    WHERE c.id = d.community_id;
                  ELSE
                    UPDATE communities c SET member_count = c.member_count - d.n
                    FROM (SELECT community_id, count(*)::int AS n FROM gone WHERE deleted_at IS NULL GROUP BY community_id) d
                    WHERE c.id = d.community_id;
                  END IF;
                  RETURN NULL;
                END $$;

                CREATE TRIGGER memberships_member_count_insert AFTER INSERT ON memberships
                  REFERENCING NEW TABLE AS joined FOR EACH STATEMENT EXECUTE FUNCTION memberships_count_members();
                CREATE TRIGGER memberships_member_count_delete AFTER DELETE ON memberships
                  REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION memberships_count_members();
                """);
            // Leaving, removal and return change deleted_at one membership at a time; a row trigger limited to those
            // columns leaves every other update (trust scores, roles, the decay pass) without any work.
            migrationBuilder.Sql("""
                CREATE FUNCTION memberships_recount_member() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                  IF OLD.deleted_at IS NULL THEN
                    UPDATE communities SET member_count = member_count - 1 WHERE id = OLD.community_id;
                  END IF;
                  IF NEW.deleted_at IS NULL THEN
                    UPDATE communities SET member_count = member_count + 1 WHERE id = NEW.community_id;
                  END IF;
                  RETURN NULL;
                END $$;

                CREATE TRIGGER memberships_member_count_update AFTER UPDATE OF deleted_at, community_id ON memberships
                  FOR EACH ROW WHEN (OLD.deleted_at IS DISTINCT FROM NEW.deleted_at OR OLD.community_id IS DISTINCT FROM NEW.community_id)
                  EXECUTE FUNCTION memberships_recount_member();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER IF EXISTS memberships_member_count_update ON memberships;
                DROP TRIGGER IF EXISTS memberships_member_count_delete ON memberships;
                DROP TRIGGER IF EXISTS memberships_member_count_insert ON memberships;
                DROP FUNCTION IF EXISTS memberships_recount_member();
                DROP FUNCTION IF EXISTS memberships_count_members();
                """);

            migrationBuilder.DropCheckConstraint(
                name: "ck_communities_member_count",
                table: "communities");

            migrationBuilder.DropColumn(
                name: "member_count",
                table: "communities");
        }
    }
}
