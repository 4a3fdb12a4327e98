using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CommunityApp.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class CatalogueNamesInSpanish : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "name_es",
                table: "items",
                type: "TEXT",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "normalized_name_es",
                table: "items",
                type: "TEXT",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "name_es",
                table: "item_categories",
                type: "TEXT",
                maxLength: 100,
                nullable: true);

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
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_items_community_id_normalized_name_es",
                table: "items");

            migrationBuilder.DropIndex(
                name: "ix_item_categories_community_id_parent_id_name_es",
                table: "item_categories");

            migrationBuilder.DropColumn(
                name: "name_es",
                table: "items");

            migrationBuilder.DropColumn(
                name: "normalized_name_es",
                table: "items");

            migrationBuilder.DropColumn(
                name: "name_es",
                table: "item_categories");
        }
    }
}
