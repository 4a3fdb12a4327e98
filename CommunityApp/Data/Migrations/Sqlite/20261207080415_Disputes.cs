using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CommunityApp.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Disputes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "accepted_at",
                table: "share_requests",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "confirm_asked_at",
                table: "share_requests",
                type: "TEXT",
                nullable: true);

            // Requests accepted before this migration count from their last change, the moment they were accepted or later.
            migrationBuilder.Sql("UPDATE share_requests SET accepted_at = updated_at WHERE status = 'Accepted'");

            migrationBuilder.CreateTable(
                name: "disputes",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    community_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    subject_kind = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    subject_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    opened_by_id = table.Column<string>(type: "TEXT", nullable: false),
                    title = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    details = table.Column<string>(type: "TEXT", maxLength: 5000, nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 12, nullable: false),
                    last_activity_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    remind_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    outcome = table.Column<string>(type: "TEXT", maxLength: 5000, nullable: true),
                    outcome_public = table.Column<bool>(type: "INTEGER", nullable: true),
                    resolved_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    resolved_by_id = table.Column<string>(type: "TEXT", nullable: true),
                    closed_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    closed_by_id = table.Column<string>(type: "TEXT", nullable: true),
                    close_reason = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    created_by = table.Column<string>(type: "TEXT", maxLength: 450, nullable: true),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_disputes", x => x.id);
                    table.CheckConstraint("ck_disputes_closed", "status <> 'Closed' OR closed_at IS NOT NULL");
                    table.CheckConstraint("ck_disputes_resolved", "status <> 'Resolved' OR (outcome IS NOT NULL AND outcome_public IS NOT NULL AND resolved_at IS NOT NULL)");
                    table.ForeignKey(
                        name: "fk_disputes_asp_net_users_closed_by_id",
                        column: x => x.closed_by_id,
                        principalTable: "asp_net_users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_disputes_asp_net_users_opened_by_id",
                        column: x => x.opened_by_id,
                        principalTable: "asp_net_users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_disputes_asp_net_users_resolved_by_id",
                        column: x => x.resolved_by_id,
                        principalTable: "asp_net_users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_disputes_communities_community_id",
                        column: x => x.community_id,
                        principalTable: "communities",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "dispute_images",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    dispute_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    content_type = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    bytes = table.Column<byte[]>(type: "BLOB", nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_dispute_images", x => x.id);
                    table.ForeignKey(
                        name: "fk_dispute_images_disputes_dispute_id",
                        column: x => x.dispute_id,
                        principalTable: "disputes",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "dispute_mediators",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    dispute_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    user_id = table.Column<string>(type: "TEXT", nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 10, nullable: false),
                    offered_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    decided_at = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_dispute_mediators", x => x.id);
                    table.ForeignKey(
                        name: "fk_dispute_mediators_asp_net_users_user_id",
                        column: x => x.user_id,
                        principalTable: "asp_net_users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_dispute_mediators_disputes_dispute_id",
                        column: x => x.dispute_id,
                        principalTable: "disputes",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "dispute_parties",
                columns: table => new
                {
                    dispute_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    user_id = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_dispute_parties", x => new { x.dispute_id, x.user_id });
                    table.ForeignKey(
                        name: "fk_dispute_parties_asp_net_users_user_id",
                        column: x => x.user_id,
                        principalTable: "asp_net_users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_dispute_parties_disputes_dispute_id",
                        column: x => x.dispute_id,
                        principalTable: "disputes",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "dispute_events",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    dispute_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    kind = table.Column<string>(type: "TEXT", maxLength: 30, nullable: false),
                    actor_id = table.Column<string>(type: "TEXT", nullable: false),
                    subject_user_id = table.Column<string>(type: "TEXT", maxLength: 450, nullable: true),
                    body = table.Column<string>(type: "TEXT", maxLength: 5000, nullable: true),
                    image_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_dispute_events", x => x.id);
                    table.ForeignKey(
                        name: "fk_dispute_events_asp_net_users_actor_id",
                        column: x => x.actor_id,
                        principalTable: "asp_net_users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_dispute_events_dispute_images_image_id",
                        column: x => x.image_id,
                        principalTable: "dispute_images",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_dispute_events_disputes_dispute_id",
                        column: x => x.dispute_id,
                        principalTable: "disputes",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "dispute_mediator_answers",
                columns: table => new
                {
                    mediator_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    party_id = table.Column<string>(type: "TEXT", nullable: false),
                    accepted = table.Column<bool>(type: "INTEGER", nullable: false),
                    answered_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_dispute_mediator_answers", x => new { x.mediator_id, x.party_id });
                    table.ForeignKey(
                        name: "fk_dispute_mediator_answers_asp_net_users_party_id",
                        column: x => x.party_id,
                        principalTable: "asp_net_users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_dispute_mediator_answers_dispute_mediators_mediator_id",
                        column: x => x.mediator_id,
                        principalTable: "dispute_mediators",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_share_requests_status_accepted_at",
                table: "share_requests",
                columns: new[] { "status", "accepted_at" },
                filter: "confirm_asked_at IS NULL");

            migrationBuilder.CreateIndex(
                name: "ix_dispute_events_actor_id",
                table: "dispute_events",
                column: "actor_id");

            migrationBuilder.CreateIndex(
                name: "ix_dispute_events_dispute_id_created_at",
                table: "dispute_events",
                columns: new[] { "dispute_id", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_dispute_events_image_id",
                table: "dispute_events",
                column: "image_id");

            migrationBuilder.CreateIndex(
                name: "ix_dispute_images_dispute_id",
                table: "dispute_images",
                column: "dispute_id");

            migrationBuilder.CreateIndex(
                name: "ix_dispute_mediator_answers_party_id",
                table: "dispute_mediator_answers",
                column: "party_id");

            migrationBuilder.CreateIndex(
                name: "ix_dispute_mediators_dispute_id_user_id",
                table: "dispute_mediators",
                columns: new[] { "dispute_id", "user_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_dispute_mediators_user_id_status",
                table: "dispute_mediators",
                columns: new[] { "user_id", "status" });

            migrationBuilder.CreateIndex(
                name: "ix_dispute_parties_user_id",
                table: "dispute_parties",
                column: "user_id");

            migrationBuilder.CreateIndex(
                name: "ix_disputes_closed_by_id",
                table: "disputes",
                column: "closed_by_id");

            migrationBuilder.CreateIndex(
                name: "ix_disputes_community_id_status",
                table: "disputes",
                columns: new[] { "community_id", "status" });

            migrationBuilder.CreateIndex(
                name: "ix_disputes_opened_by_id",
                table: "disputes",
                column: "opened_by_id");

            migrationBuilder.CreateIndex(
                name: "ix_disputes_remind_at",
                table: "disputes",
                column: "remind_at");

            migrationBuilder.CreateIndex(
                name: "ix_disputes_resolved_by_id",
                table: "disputes",
                column: "resolved_by_id");

            migrationBuilder.CreateIndex(
                name: "ix_disputes_subject_kind_subject_id_status",
                table: "disputes",
                columns: new[] { "subject_kind", "subject_id", "status" });

            migrationBuilder.CreateIndex(
                name: "ux_disputes_open_subject",
                table: "disputes",
                columns: new[] { "subject_kind", "subject_id" },
                unique: true,
                filter: "status IN ('Open', 'InMediation')");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "dispute_events");

            migrationBuilder.DropTable(
                name: "dispute_mediator_answers");

            migrationBuilder.DropTable(
                name: "dispute_parties");

            migrationBuilder.DropTable(
                name: "dispute_images");

            migrationBuilder.DropTable(
                name: "dispute_mediators");

            migrationBuilder.DropTable(
                name: "disputes");

            migrationBuilder.DropIndex(
                name: "ix_share_requests_status_accepted_at",
                table: "share_requests");

            migrationBuilder.DropColumn(
                name: "accepted_at",
                table: "share_requests");

            migrationBuilder.DropColumn(
                name: "confirm_asked_at",
                table: "share_requests");
        }
    }
}
