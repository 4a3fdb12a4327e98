using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CommunityApp.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class OnePendingDirectInvite : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Existing data first: expired pending direct invites lapse, and of duplicates that a race left behind the
            // oldest stays pending and the rest are cancelled, so the unique index can be built.
            migrationBuilder.Sql("""
                UPDATE invites SET state = 'Lapsed' WHERE kind = 'Direct' AND state = 'Pending' AND expires_at <= CURRENT_TIMESTAMP;
                UPDATE invites SET state = 'Cancelled'
                WHERE kind = 'Direct' AND state = 'Pending' AND EXISTS (
                    SELECT 1 FROM invites o
                    WHERE o.kind = 'Direct' AND o.state = 'Pending' AND o.community_id = invites.community_id
                      AND o.invited_user_id = invites.invited_user_id
                      AND (o.created_at < invites.created_at OR (o.created_at = invites.created_at AND o.id < invites.id)));
                """);

            migrationBuilder.CreateIndex(
                name: "ux_invites_one_pending_direct",
                table: "invites",
                columns: new[] { "community_id", "invited_user_id" },
                unique: true,
                filter: "kind = 'Direct' AND state = 'Pending'");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ux_invites_one_pending_direct",
                table: "invites");
        }
    }
}
