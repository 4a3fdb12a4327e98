using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CommunityApp.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class Pools : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "source_pool_id",
                table: "shares",
                type: "uuid",
                nullable: true);

            migrationBuilder.AlterColumn<string>(
                name: "kind",
                table: "inventory_entries",
                type: "character varying(15)",
                maxLength: 15,
                nullable: false,
                oldClrType: typeof(string),
                oldType: "character varying(10)",
                oldMaxLength: 10);

            migrationBuilder.AddColumn<Guid>(
                name: "pool_id",
                table: "inventory_entries",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "pool_id",
                table: "contributions",
                type: "uuid",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "pools",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    community_id = table.Column<Guid>(type: "uuid", nullable: false),
                    council_id = table.Column<Guid>(type: "uuid", nullable: false),
                    name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    normalized_name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    description = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                    min_contribution = table.Column<int>(type: "integer", nullable: true),
                    max_units_per_member = table.Column<int>(type: "integer", nullable: true),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    created_by = table.Column<string>(type: "character varying(450)", maxLength: 450, nullable: true),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_pools", x => x.id);
                    table.CheckConstraint("ck_pools_max_units_per_member", "max_units_per_member IS NULL OR max_units_per_member >= 1");
                    table.CheckConstraint("ck_pools_min_contribution", "min_contribution IS NULL OR min_contribution >= 1");
                    table.ForeignKey(
                        name: "fk_pools_communities_community_id",
                        column: x => x.community_id,
                        principalTable: "communities",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_pools_councils_council_id",
                        column: x => x.council_id,
                        principalTable: "councils",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "pool_allocations",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    community_id = table.Column<Guid>(type: "uuid", nullable: false),
                    pool_id = table.Column<Guid>(type: "uuid", nullable: false),
                    distribution_id = table.Column<Guid>(type: "uuid", nullable: false),
                    need_id = table.Column<Guid>(type: "uuid", nullable: false),
                    member_id = table.Column<string>(type: "text", nullable: false),
                    item_id = table.Column<Guid>(type: "uuid", nullable: false),
                    units = table.Column<int>(type: "integer", nullable: false),
                    strategy = table.Column<string>(type: "character varying(15)", maxLength: 15, nullable: false),
                    actor_id = table.Column<string>(type: "text", nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_pool_allocations", x => x.id);
                    table.CheckConstraint("ck_pool_allocations_units", "units >= 1");
                    table.ForeignKey(
                        name: "fk_pool_allocations_asp_net_users_actor_id",
                        column: x => x.actor_id,
                        principalTable: "asp_net_users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_pool_allocations_communities_community_id",
                        column: x => x.community_id,
                        principalTable: "communities",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_pool_allocations_items_item_id",
                        column: x => x.item_id,
                        principalTable: "items",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_pool_allocations_needs_need_id",
                        column: x => x.need_id,
                        principalTable: "needs",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_pool_allocations_pools_pool_id",
                        column: x => x.pool_id,
                        principalTable: "pools",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_pool_allocations_users_member_id",
                        column: x => x.member_id,
                        principalTable: "asp_net_users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "pool_items",
                columns: table => new
                {
                    pool_id = table.Column<Guid>(type: "uuid", nullable: false),
                    item_id = table.Column<Guid>(type: "uuid", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_pool_items", x => new { x.pool_id, x.item_id });
                    table.ForeignKey(
                        name: "fk_pool_items_items_item_id",
                        column: x => x.item_id,
                        principalTable: "items",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_pool_items_pools_pool_id",
                        column: x => x.pool_id,
                        principalTable: "pools",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_shares_source_pool_id",
                table: "shares",
                column: "source_pool_id");

            migrationBuilder.CreateIndex(
                name: "ix_inventory_entries_pool_id_created_at",
                table: "inventory_entries",
                columns: new[] { "pool_id", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_contributions_pool_id_status_created_at",
                table: "contributions",
                columns: new[] { "pool_id", "status", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_pool_allocations_actor_id",
                table: "pool_allocations",
                column: "actor_id");

            migrationBuilder.CreateIndex(
                name: "ix_pool_allocations_community_id",
                table: "pool_allocations",
                column: "community_id");

            migrationBuilder.CreateIndex(
                name: "ix_pool_allocations_distribution_id",
                table: "pool_allocations",
                column: "distribution_id");

            migrationBuilder.CreateIndex(
                name: "ix_pool_allocations_item_id",
                table: "pool_allocations",
                column: "item_id");

            migrationBuilder.CreateIndex(
                name: "ix_pool_allocations_member_id",
                table: "pool_allocations",
                column: "member_id");

            migrationBuilder.CreateIndex(
                name: "ix_pool_allocations_need_id_created_at",
                table: "pool_allocations",
                columns: new[] { "need_id", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_pool_allocations_pool_id_created_at",
                table: "pool_allocations",
                columns: new[] { "pool_id", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_pool_items_item_id",
                table: "pool_items",
                column: "item_id");

            migrationBuilder.CreateIndex(
                name: "ix_pools_community_id",
                table: "pools",
                column: "community_id");

            migrationBuilder.CreateIndex(
                name: "ix_pools_council_id_normalized_name",
                table: "pools",
                columns: new[] { "council_id", "normalized_name" },
                unique: true);

            migrationBuilder.AddForeignKey(
                name: "fk_contributions_pools_pool_id",
                table: "contributions",
                column: "pool_id",
                principalTable: "pools",
                principalColumn: "id",
                onDelete: ReferentialAction.Cascade);

            migrationBuilder.AddForeignKey(
                name: "fk_inventory_entries_pools_pool_id",
                table: "inventory_entries",
                column: "pool_id",
                principalTable: "pools",
                principalColumn: "id",
                onDelete: ReferentialAction.Cascade);

            migrationBuilder.AddForeignKey(
                name: "fk_shares_pools_source_pool_id",
                table: "shares",
                column: "source_pool_id",
                principalTable: "pools",
                principalColumn: "id",
                onDelete: ReferentialAction.Restrict);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "fk_contributions_pools_pool_id",
                table: "contributions");

            migrationBuilder.DropForeignKey(
                name: "fk_inventory_entries_pools_pool_id",
                table: "inventory_entries");

            migrationBuilder.DropForeignKey(
                name: "fk_shares_pools_source_pool_id",
                table: "shares");

            migrationBuilder.DropTable(
                name: "pool_allocations");

            migrationBuilder.DropTable(
                name: "pool_items");

            migrationBuilder.DropTable(
                name: "pools");

            migrationBuilder.DropIndex(
                name: "ix_shares_source_pool_id",
                table: "shares");

            migrationBuilder.DropIndex(
                name: "ix_inventory_entries_pool_id_created_at",
                table: "inventory_entries");

            migrationBuilder.DropIndex(
                name: "ix_contributions_pool_id_status_created_at",
                table: "contributions");

            migrationBuilder.DropColumn(
                name: "source_pool_id",
                table: "shares");

            migrationBuilder.DropColumn(
                name: "pool_id",
                table: "inventory_entries");

            migrationBuilder.DropColumn(
                name: "pool_id",
                table: "contributions");

            migrationBuilder.AlterColumn<string>(
                name: "kind",
                table: "inventory_entries",
                type: "character varying(10)",
                maxLength: 10,
                nullable: false,
                oldClrType: typeof(string),
                oldType: "character varying(15)",
                oldMaxLength: 15);
        }
    }
}
