using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CommunityApp.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class Needs : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "needs",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    community_id = table.Column<Guid>(type: "uuid", nullable: false),
                    owner_id = table.Column<string>(type: "text", nullable: false),
                    item_id = table.Column<Guid>(type: "uuid", nullable: true),
                    title = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    description = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    units = table.Column<int>(type: "integer", nullable: false),
                    priority = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: false),
                    recurrence = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: false),
                    status = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: false),
                    period_start = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    period_end = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    fulfilled_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    fulfilled_by_request_id = table.Column<Guid>(type: "uuid", nullable: true),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    created_by = table.Column<string>(type: "character varying(450)", maxLength: 450, nullable: true),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_needs", x => x.id);
                    table.CheckConstraint("ck_needs_named", "item_id IS NOT NULL OR title IS NOT NULL");
                    table.CheckConstraint("ck_needs_units", "units >= 1 AND units <= 100000");
                    table.ForeignKey(
                        name: "fk_needs_communities_community_id",
                        column: x => x.community_id,
                        principalTable: "communities",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_needs_items_item_id",
                        column: x => x.item_id,
                        principalTable: "items",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_needs_share_requests_fulfilled_by_request_id",
                        column: x => x.fulfilled_by_request_id,
                        principalTable: "share_requests",
                        principalColumn: "id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "fk_needs_users_owner_id",
                        column: x => x.owner_id,
                        principalTable: "asp_net_users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "ix_needs_community_id_status_priority",
                table: "needs",
                columns: new[] { "community_id", "status", "priority" });

            migrationBuilder.CreateIndex(
                name: "ix_needs_fulfilled_by_request_id",
                table: "needs",
                column: "fulfilled_by_request_id");

            migrationBuilder.CreateIndex(
                name: "ix_needs_item_id_status",
                table: "needs",
                columns: new[] { "item_id", "status" });

            migrationBuilder.CreateIndex(
                name: "ix_needs_owner_id_community_id_created_at",
                table: "needs",
                columns: new[] { "owner_id", "community_id", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_needs_period_end",
                table: "needs",
                column: "period_end",
                filter: "period_end IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "needs");
        }
    }
}
