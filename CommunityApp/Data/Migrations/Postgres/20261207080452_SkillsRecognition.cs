using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CommunityApp.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class SkillsRecognition : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "recognition_entries",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    community_id = table.Column<Guid>(type: "uuid", nullable: false),
                    kind = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    contributor_id = table.Column<string>(type: "text", nullable: false),
                    giver_id = table.Column<string>(type: "text", nullable: false),
                    units = table.Column<int>(type: "integer", nullable: false),
                    value_per_unit = table.Column<int>(type: "integer", nullable: true),
                    value = table.Column<int>(type: "integer", nullable: false),
                    item_id = table.Column<Guid>(type: "uuid", nullable: true),
                    category_id = table.Column<Guid>(type: "uuid", nullable: true),
                    share_request_id = table.Column<Guid>(type: "uuid", nullable: true),
                    contribution_id = table.Column<Guid>(type: "uuid", nullable: true),
                    reason = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_recognition_entries", x => x.id);
                    table.CheckConstraint("ck_recognition_entries_peer", "kind <> 'Peer' OR (giver_id <> contributor_id AND reason IS NOT NULL)");
                    table.CheckConstraint("ck_recognition_entries_units", "units > 0");
                    table.CheckConstraint("ck_recognition_entries_value", "value >= 0");
                    table.ForeignKey(
                        name: "fk_recognition_entries_communities_community_id",
                        column: x => x.community_id,
                        principalTable: "communities",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_recognition_entries_contributions_contribution_id",
                        column: x => x.contribution_id,
                        principalTable: "contributions",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_recognition_entries_item_categories_category_id",
                        column: x => x.category_id,
                        principalTable: "item_categories",
                        principalColumn: "id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "fk_recognition_entries_items_item_id",
                        column: x => x.item_id,
                        principalTable: "items",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_recognition_entries_share_requests_share_request_id",
                        column: x => x.share_request_id,
                        principalTable: "share_requests",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_recognition_entries_users_contributor_id",
                        column: x => x.contributor_id,
                        principalTable: "asp_net_users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_recognition_entries_users_giver_id",
                        column: x => x.giver_id,
                        principalTable: "asp_net_users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "skills",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    user_id = table.Column<string>(type: "text", nullable: false),
                    name = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: false),
                    normalized_name = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_skills", x => x.id);
                    table.ForeignKey(
                        name: "fk_skills_users_user_id",
                        column: x => x.user_id,
                        principalTable: "asp_net_users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "skill_endorsements",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    community_id = table.Column<Guid>(type: "uuid", nullable: false),
                    skill_id = table.Column<Guid>(type: "uuid", nullable: false),
                    endorser_id = table.Column<string>(type: "text", nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_skill_endorsements", x => x.id);
                    table.ForeignKey(
                        name: "fk_skill_endorsements_communities_community_id",
                        column: x => x.community_id,
                        principalTable: "communities",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_skill_endorsements_skills_skill_id",
                        column: x => x.skill_id,
                        principalTable: "skills",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_skill_endorsements_users_endorser_id",
                        column: x => x.endorser_id,
                        principalTable: "asp_net_users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_recognition_entries_category_id",
                table: "recognition_entries",
                column: "category_id");

            migrationBuilder.CreateIndex(
                name: "ix_recognition_entries_community_id_at",
                table: "recognition_entries",
                columns: new[] { "community_id", "at" });

            migrationBuilder.CreateIndex(
                name: "ix_recognition_entries_community_id_contributor_id_at",
                table: "recognition_entries",
                columns: new[] { "community_id", "contributor_id", "at" });

            migrationBuilder.CreateIndex(
                name: "ix_recognition_entries_community_id_giver_id_kind_at",
                table: "recognition_entries",
                columns: new[] { "community_id", "giver_id", "kind", "at" });

            migrationBuilder.CreateIndex(
                name: "ix_recognition_entries_contribution_id",
                table: "recognition_entries",
                column: "contribution_id",
                unique: true,
                filter: "contribution_id IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_recognition_entries_contributor_id",
                table: "recognition_entries",
                column: "contributor_id");

            migrationBuilder.CreateIndex(
                name: "ix_recognition_entries_giver_id",
                table: "recognition_entries",
                column: "giver_id");

            migrationBuilder.CreateIndex(
                name: "ix_recognition_entries_item_id",
                table: "recognition_entries",
                column: "item_id");

            migrationBuilder.CreateIndex(
                name: "ix_recognition_entries_share_request_id",
                table: "recognition_entries",
                column: "share_request_id",
                unique: true,
                filter: "share_request_id IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_skill_endorsements_community_id_skill_id_endorser_id",
                table: "skill_endorsements",
                columns: new[] { "community_id", "skill_id", "endorser_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_skill_endorsements_endorser_id",
                table: "skill_endorsements",
                column: "endorser_id");

            migrationBuilder.CreateIndex(
                name: "ix_skill_endorsements_skill_id",
                table: "skill_endorsements",
                column: "skill_id");

            migrationBuilder.CreateIndex(
                name: "ix_skills_normalized_name",
                table: "skills",
                column: "normalized_name");

            migrationBuilder.CreateIndex(
                name: "ix_skills_user_id_normalized_name",
                table: "skills",
                columns: new[] { "user_id", "normalized_name" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "recognition_entries");

            migrationBuilder.DropTable(
                name: "skill_endorsements");

            migrationBuilder.DropTable(
                name: "skills");
        }
    }
}
