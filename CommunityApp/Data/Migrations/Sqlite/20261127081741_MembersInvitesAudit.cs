using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CommunityApp.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class MembersInvitesAudit : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "trust_score",
                table: "memberships",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.CreateTable(
                name: "audit_log",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    community_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    actor_id = table.Column<string>(type: "TEXT", nullable: false),
                    action = table.Column<string>(type: "TEXT", maxLength: 30, nullable: false),
                    target_user_id = table.Column<string>(type: "TEXT", nullable: true),
                    details = table.Column<string>(type: "TEXT", nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_audit_log", x => x.id);
                    table.ForeignKey(
                        name: "fk_audit_log_communities_community_id",
                        column: x => x.community_id,
                        principalTable: "communities",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_audit_log_users_actor_id",
                        column: x => x.actor_id,
                        principalTable: "AspNetUsers",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_audit_log_users_target_user_id",
                        column: x => x.target_user_id,
                        principalTable: "AspNetUsers",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "invites",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    community_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    kind = table.Column<string>(type: "TEXT", maxLength: 10, nullable: false),
                    role = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    title = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    invited_user_id = table.Column<string>(type: "TEXT", nullable: true),
                    secret = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    state = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    expires_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    max_uses = table.Column<int>(type: "INTEGER", nullable: true),
                    uses = table.Column<int>(type: "INTEGER", nullable: false),
                    responded_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    created_by = table.Column<string>(type: "TEXT", maxLength: 450, nullable: true),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_invites", x => x.id);
                    table.CheckConstraint("ck_invites_target", "(kind = 'Direct' AND invited_user_id IS NOT NULL) OR (kind = 'Link' AND secret IS NOT NULL)");
                    table.CheckConstraint("ck_invites_uses", "uses >= 0 AND (max_uses IS NULL OR (max_uses >= 1 AND uses <= max_uses))");
                    table.ForeignKey(
                        name: "fk_invites_communities_community_id",
                        column: x => x.community_id,
                        principalTable: "communities",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_invites_users_invited_user_id",
                        column: x => x.invited_user_id,
                        principalTable: "AspNetUsers",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "invite_redemptions",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    invite_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    user_id = table.Column<string>(type: "TEXT", nullable: false),
                    redeemed_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_invite_redemptions", x => x.id);
                    table.ForeignKey(
                        name: "fk_invite_redemptions_invites_invite_id",
                        column: x => x.invite_id,
                        principalTable: "invites",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_invite_redemptions_users_user_id",
                        column: x => x.user_id,
                        principalTable: "AspNetUsers",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "ix_memberships_community_id_trust_score",
                table: "memberships",
                columns: new[] { "community_id", "trust_score" });

            migrationBuilder.AddCheckConstraint(
                name: "ck_memberships_trust_score",
                table: "memberships",
                sql: "trust_score >= 0");

            migrationBuilder.CreateIndex(
                name: "ix_audit_log_actor_id",
                table: "audit_log",
                column: "actor_id");

            migrationBuilder.CreateIndex(
                name: "ix_audit_log_community_id_action_created_at",
                table: "audit_log",
                columns: new[] { "community_id", "action", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_audit_log_community_id_actor_id_created_at",
                table: "audit_log",
                columns: new[] { "community_id", "actor_id", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_audit_log_community_id_created_at",
                table: "audit_log",
                columns: new[] { "community_id", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_audit_log_target_user_id",
                table: "audit_log",
                column: "target_user_id");

            migrationBuilder.CreateIndex(
                name: "ix_invite_redemptions_invite_id_user_id",
                table: "invite_redemptions",
                columns: new[] { "invite_id", "user_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_invite_redemptions_user_id",
                table: "invite_redemptions",
                column: "user_id");

            migrationBuilder.CreateIndex(
                name: "ix_invites_community_id_created_at",
                table: "invites",
                columns: new[] { "community_id", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_invites_invited_user_id_state",
                table: "invites",
                columns: new[] { "invited_user_id", "state" });

            migrationBuilder.CreateIndex(
                name: "ix_invites_secret",
                table: "invites",
                column: "secret",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "audit_log");

            migrationBuilder.DropTable(
                name: "invite_redemptions");

            migrationBuilder.DropTable(
                name: "invites");

            migrationBuilder.DropIndex(
                name: "ix_memberships_community_id_trust_score",
                table: "memberships");

            migrationBuilder.DropCheckConstraint(
                name: "ck_memberships_trust_score",
                table: "memberships");

            migrationBuilder.DropColumn(
                name: "trust_score",
                table: "memberships");
        }
    }
}
