using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CommunityApp.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class CatalogueNamesRecurringSharesPoolCheckoutNeedExpiry : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropCheckConstraint(
                name: "ck_checkout_links_source",
                table: "checkout_links");

            migrationBuilder.AddColumn<DateTime>(
                name: "period_end",
                table: "shares",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "period_start",
                table: "shares",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "recurrence",
                table: "shares",
                type: "character varying(10)",
                maxLength: 10,
                nullable: false,
                defaultValue: "Once");

            migrationBuilder.AddColumn<DateTime>(
                name: "period_start",
                table: "share_requests",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "expires_at",
                table: "needs",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "name_es",
                table: "items",
                type: "character varying(100)",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "normalized_name_es",
                table: "items",
                type: "character varying(100)",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "name_es",
                table: "item_categories",
                type: "character varying(100)",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "item_id",
                table: "checkout_links",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "pool_id",
                table: "checkout_links",
                type: "uuid",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "ix_shares_period_end",
                table: "shares",
                column: "period_end",
                filter: "period_end IS NOT NULL");

            migrationBuilder.AddCheckConstraint(
                name: "ck_shares_period",
                table: "shares",
                sql: "(recurrence = 'Once' AND period_start IS NULL AND period_end IS NULL) OR (recurrence <> 'Once' AND period_start IS NOT NULL AND period_end IS NOT NULL AND period_end > period_start AND target = 'Community' AND source_council_id IS NULL)");

            migrationBuilder.CreateIndex(
                name: "ix_needs_expires_at",
                table: "needs",
                column: "expires_at",
                filter: "expires_at IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_items_community_id_normalized_name_es",
                table: "items",
                columns: new[] { "community_id", "normalized_name_es" },
                unique: true,
                filter: "deleted_at IS NULL");

            migrationBuilder.CreateIndex(
                name: "ix_item_categories_community_id_parent_id_name_es",
                table: "item_categories",
                columns: new[] { "community_id", "parent_id", "name_es" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_checkout_links_item_id",
                table: "checkout_links",
                column: "item_id");

            migrationBuilder.CreateIndex(
                name: "ix_checkout_links_pool_id_created_at",
                table: "checkout_links",
                columns: new[] { "pool_id", "created_at" });

            migrationBuilder.AddCheckConstraint(
                name: "ck_checkout_links_source",
                table: "checkout_links",
                sql: "(share_id IS NOT NULL AND pool_id IS NULL AND item_id IS NULL) OR (share_id IS NULL AND pool_id IS NOT NULL AND item_id IS NOT NULL)");

            migrationBuilder.AddForeignKey(
                name: "fk_checkout_links_items_item_id",
                table: "checkout_links",
                column: "item_id",
                principalTable: "items",
                principalColumn: "id",
                onDelete: ReferentialAction.Restrict);

            migrationBuilder.AddForeignKey(
                name: "fk_checkout_links_pools_pool_id",
                table: "checkout_links",
                column: "pool_id",
                principalTable: "pools",
                principalColumn: "id",
                onDelete: ReferentialAction.Cascade);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "fk_checkout_links_items_item_id",
                table: "checkout_links");

            migrationBuilder.DropForeignKey(
                name: "fk_checkout_links_pools_pool_id",
                table: "checkout_links");

            migrationBuilder.DropIndex(
                name: "ix_shares_period_end",
                table: "shares");

            migrationBuilder.DropCheckConstraint(
                name: "ck_shares_period",
                table: "shares");

            migrationBuilder.DropIndex(
                name: "ix_needs_expires_at",
                table: "needs");

            migrationBuilder.DropIndex(
                name: "ix_items_community_id_normalized_name_es",
                table: "items");

            migrationBuilder.DropIndex(
                name: "ix_item_categories_community_id_parent_id_name_es",
                table: "item_categories");

            migrationBuilder.DropIndex(
                name: "ix_checkout_links_item_id",
                table: "checkout_links");

            migrationBuilder.DropIndex(
                name: "ix_checkout_links_pool_id_created_at",
                table: "checkout_links");

            migrationBuilder.DropCheckConstraint(
                name: "ck_checkout_links_source",
                table: "checkout_links");

            migrationBuilder.DropColumn(
                name: "period_end",
                table: "shares");

            migrationBuilder.DropColumn(
                name: "period_start",
                table: "shares");

            migrationBuilder.DropColumn(
                name: "recurrence",
                table: "shares");

            migrationBuilder.DropColumn(
                name: "period_start",
                table: "share_requests");

            migrationBuilder.DropColumn(
                name: "expires_at",
                table: "needs");

            migrationBuilder.DropColumn(
                name: "name_es",
                table: "items");

            migrationBuilder.DropColumn(
                name: "normalized_name_es",
                table: "items");

            migrationBuilder.DropColumn(
                name: "name_es",
                table: "item_categories");

            migrationBuilder.DropColumn(
                name: "item_id",
                table: "checkout_links");

            migrationBuilder.DropColumn(
                name: "pool_id",
                table: "checkout_links");

            migrationBuilder.AddCheckConstraint(
                name: "ck_checkout_links_source",
                table: "checkout_links",
                sql: "share_id IS NOT NULL");
        }
    }
}
