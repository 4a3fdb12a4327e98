using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CommunityApp.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Insight : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "trust_ring_clusters",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    community_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    computed_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    conductance = table.Column<double>(type: "REAL", nullable: false),
                    member_count = table.Column<int>(type: "INTEGER", nullable: false),
                    member_key = table.Column<string>(type: "TEXT", nullable: false),
                    reviewed_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    reviewed_by = table.Column<string>(type: "TEXT", maxLength: 450, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_trust_ring_clusters", x => x.id);
                    table.ForeignKey(
                        name: "fk_trust_ring_clusters_asp_net_users_reviewed_by",
                        column: x => x.reviewed_by,
                        principalTable: "asp_net_users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_trust_ring_clusters_communities_community_id",
                        column: x => x.community_id,
                        principalTable: "communities",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "trust_ring_scans",
                columns: table => new
                {
                    community_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    computed_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    member_count = table.Column<int>(type: "INTEGER", nullable: false),
                    award_count = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_trust_ring_scans", x => x.community_id);
                    table.ForeignKey(
                        name: "fk_trust_ring_scans_communities_community_id",
                        column: x => x.community_id,
                        principalTable: "communities",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "trust_ring_members",
                columns: table => new
                {
                    cluster_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    user_id = table.Column<string>(type: "TEXT", nullable: false),
                    score = table.Column<double>(type: "REAL", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_trust_ring_members", x => new { x.cluster_id, x.user_id });
                    table.ForeignKey(
                        name: "fk_trust_ring_members_asp_net_users_user_id",
                        column: x => x.user_id,
                        principalTable: "asp_net_users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_trust_ring_members_trust_ring_clusters_cluster_id",
                        column: x => x.cluster_id,
                        principalTable: "trust_ring_clusters",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_trust_ring_clusters_community_id_conductance",
                table: "trust_ring_clusters",
                columns: new[] { "community_id", "conductance" });

            migrationBuilder.CreateIndex(
                name: "ix_trust_ring_clusters_reviewed_by",
                table: "trust_ring_clusters",
                column: "reviewed_by");

            migrationBuilder.CreateIndex(
                name: "ix_trust_ring_members_user_id",
                table: "trust_ring_members",
                column: "user_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "trust_ring_members");

            migrationBuilder.DropTable(
                name: "trust_ring_scans");

            migrationBuilder.DropTable(
                name: "trust_ring_clusters");
        }
    }
}
