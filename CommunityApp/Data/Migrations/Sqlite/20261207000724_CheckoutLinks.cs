using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CommunityApp.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class CheckoutLinks : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "checkout_links",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    community_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    share_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    token = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    title = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    cap_per_checkout = table.Column<int>(type: "INTEGER", nullable: true),
                    units_given = table.Column<int>(type: "INTEGER", nullable: false),
                    checkout_count = table.Column<int>(type: "INTEGER", nullable: false),
                    revoked_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    created_by = table.Column<string>(type: "TEXT", maxLength: 450, nullable: true),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_checkout_links", x => x.id);
                    table.CheckConstraint("ck_checkout_links_counts", "units_given >= 0 AND checkout_count >= 0 AND (cap_per_checkout IS NULL OR cap_per_checkout >= 1)");
                    table.CheckConstraint("ck_checkout_links_source", "share_id IS NOT NULL");
                    table.ForeignKey(
                        name: "fk_checkout_links_communities_community_id",
                        column: x => x.community_id,
                        principalTable: "communities",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_checkout_links_shares_share_id",
                        column: x => x.share_id,
                        principalTable: "shares",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "checkouts",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    link_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    request_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    user_id = table.Column<string>(type: "TEXT", nullable: false),
                    units = table.Column<int>(type: "INTEGER", nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_checkouts", x => x.id);
                    table.CheckConstraint("ck_checkouts_units", "units >= 1");
                    table.ForeignKey(
                        name: "fk_checkouts_checkout_links_link_id",
                        column: x => x.link_id,
                        principalTable: "checkout_links",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_checkouts_share_requests_request_id",
                        column: x => x.request_id,
                        principalTable: "share_requests",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_checkouts_users_user_id",
                        column: x => x.user_id,
                        principalTable: "asp_net_users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "ix_checkout_links_community_id",
                table: "checkout_links",
                column: "community_id");

            migrationBuilder.CreateIndex(
                name: "ix_checkout_links_share_id_created_at",
                table: "checkout_links",
                columns: new[] { "share_id", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_checkout_links_token",
                table: "checkout_links",
                column: "token",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_checkouts_link_id_created_at",
                table: "checkouts",
                columns: new[] { "link_id", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_checkouts_request_id",
                table: "checkouts",
                column: "request_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_checkouts_user_id",
                table: "checkouts",
                column: "user_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "checkouts");

            migrationBuilder.DropTable(
                name: "checkout_links");
        }
    }
}
