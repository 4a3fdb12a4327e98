using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CommunityApp.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class PoolCheckoutLinks : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropCheckConstraint(
                name: "ck_checkout_links_source",
                table: "checkout_links");

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
                name: "ix_checkout_links_item_id",
                table: "checkout_links");

            migrationBuilder.DropIndex(
                name: "ix_checkout_links_pool_id_created_at",
                table: "checkout_links");

            migrationBuilder.DropCheckConstraint(
                name: "ck_checkout_links_source",
                table: "checkout_links");

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
