using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CommunityApp.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class CouncilsPoolsNeedsCheckout : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "source_council_id",
                table: "shares",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "source_pool_id",
                table: "shares",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "edited_at",
                table: "share_comments",
                type: "TEXT",
                nullable: true);

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
                name: "councils",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    community_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    normalized_name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    description = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    trust_count = table.Column<int>(type: "INTEGER", nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    created_by = table.Column<string>(type: "TEXT", maxLength: 450, nullable: true),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    deleted_at = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_councils", x => x.id);
                    table.CheckConstraint("ck_councils_trust_count", "trust_count >= 0");
                    table.ForeignKey(
                        name: "fk_councils_communities_community_id",
                        column: x => x.community_id,
                        principalTable: "communities",
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

            migrationBuilder.CreateTable(
                name: "council_managers",
                columns: table => new
                {
                    council_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    user_id = table.Column<string>(type: "TEXT", nullable: false),
                    added_by = table.Column<string>(type: "TEXT", maxLength: 450, nullable: true),
                    added_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_council_managers", x => new { x.council_id, x.user_id });
                    table.ForeignKey(
                        name: "fk_council_managers_councils_council_id",
                        column: x => x.council_id,
                        principalTable: "councils",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_council_managers_users_user_id",
                        column: x => x.user_id,
                        principalTable: "asp_net_users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "council_reports",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    community_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    council_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    author_id = table.Column<string>(type: "TEXT", nullable: false),
                    title = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    body = table.Column<string>(type: "TEXT", maxLength: 20000, nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    created_by = table.Column<string>(type: "TEXT", maxLength: 450, nullable: true),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    deleted_at = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_council_reports", x => x.id);
                    table.ForeignKey(
                        name: "fk_council_reports_communities_community_id",
                        column: x => x.community_id,
                        principalTable: "communities",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_council_reports_councils_council_id",
                        column: x => x.council_id,
                        principalTable: "councils",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_council_reports_users_author_id",
                        column: x => x.author_id,
                        principalTable: "asp_net_users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "council_trust_history",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    council_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    user_id = table.Column<string>(type: "TEXT", nullable: false),
                    action = table.Column<string>(type: "TEXT", maxLength: 10, nullable: false),
                    count_after = table.Column<int>(type: "INTEGER", nullable: false),
                    at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_council_trust_history", x => x.id);
                    table.ForeignKey(
                        name: "fk_council_trust_history_councils_council_id",
                        column: x => x.council_id,
                        principalTable: "councils",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_council_trust_history_users_user_id",
                        column: x => x.user_id,
                        principalTable: "asp_net_users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "council_trusts",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    council_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    user_id = table.Column<string>(type: "TEXT", nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    deleted_at = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_council_trusts", x => x.id);
                    table.ForeignKey(
                        name: "fk_council_trusts_asp_net_users_user_id",
                        column: x => x.user_id,
                        principalTable: "asp_net_users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_council_trusts_councils_council_id",
                        column: x => x.council_id,
                        principalTable: "councils",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "initiatives",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    community_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    council_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    title = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    description = table.Column<string>(type: "TEXT", maxLength: 20000, nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 10, nullable: false),
                    up_votes = table.Column<int>(type: "INTEGER", nullable: false),
                    down_votes = table.Column<int>(type: "INTEGER", nullable: false),
                    score = table.Column<int>(type: "INTEGER", nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    created_by = table.Column<string>(type: "TEXT", maxLength: 450, nullable: true),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_initiatives", x => x.id);
                    table.CheckConstraint("ck_initiatives_votes", "up_votes >= 0 AND down_votes >= 0 AND score = up_votes - down_votes");
                    table.ForeignKey(
                        name: "fk_initiatives_communities_community_id",
                        column: x => x.community_id,
                        principalTable: "communities",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_initiatives_councils_council_id",
                        column: x => x.council_id,
                        principalTable: "councils",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "inventory_balances",
                columns: table => new
                {
                    holder_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    item_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    council_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    units = table.Column<int>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_inventory_balances", x => new { x.holder_id, x.item_id });
                    table.CheckConstraint("ck_inventory_balances_units", "units >= 0");
                    table.ForeignKey(
                        name: "fk_inventory_balances_councils_council_id",
                        column: x => x.council_id,
                        principalTable: "councils",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_inventory_balances_items_item_id",
                        column: x => x.item_id,
                        principalTable: "items",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "needs",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    community_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    owner_id = table.Column<string>(type: "TEXT", nullable: false),
                    council_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    item_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    title = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    description = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    units = table.Column<int>(type: "INTEGER", nullable: false),
                    priority = table.Column<string>(type: "TEXT", maxLength: 10, nullable: false),
                    recurrence = table.Column<string>(type: "TEXT", maxLength: 10, nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 10, nullable: false),
                    period_start = table.Column<DateTime>(type: "TEXT", nullable: false),
                    period_end = table.Column<DateTime>(type: "TEXT", nullable: true),
                    fulfilled_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    fulfilled_by_request_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    created_by = table.Column<string>(type: "TEXT", maxLength: 450, nullable: true),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false)
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
                        name: "fk_needs_councils_council_id",
                        column: x => x.council_id,
                        principalTable: "councils",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
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

            migrationBuilder.CreateTable(
                name: "pools",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    community_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    council_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    normalized_name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    description = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    min_contribution = table.Column<int>(type: "INTEGER", nullable: true),
                    max_units_per_member = table.Column<int>(type: "INTEGER", nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    created_by = table.Column<string>(type: "TEXT", maxLength: 450, nullable: true),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false)
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
                name: "council_report_images",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    report_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    content_type = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    bytes = table.Column<byte[]>(type: "BLOB", nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_council_report_images", x => x.id);
                    table.ForeignKey(
                        name: "fk_council_report_images_council_reports_report_id",
                        column: x => x.report_id,
                        principalTable: "council_reports",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "initiative_comments",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    initiative_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    author_id = table.Column<string>(type: "TEXT", nullable: false),
                    body = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    deleted_at = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_initiative_comments", x => x.id);
                    table.ForeignKey(
                        name: "fk_initiative_comments_initiatives_initiative_id",
                        column: x => x.initiative_id,
                        principalTable: "initiatives",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_initiative_comments_users_author_id",
                        column: x => x.author_id,
                        principalTable: "asp_net_users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "initiative_progress",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    initiative_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    author_id = table.Column<string>(type: "TEXT", nullable: false),
                    body = table.Column<string>(type: "TEXT", maxLength: 20000, nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_initiative_progress", x => x.id);
                    table.ForeignKey(
                        name: "fk_initiative_progress_initiatives_initiative_id",
                        column: x => x.initiative_id,
                        principalTable: "initiatives",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_initiative_progress_users_author_id",
                        column: x => x.author_id,
                        principalTable: "asp_net_users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "initiative_votes",
                columns: table => new
                {
                    initiative_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    user_id = table.Column<string>(type: "TEXT", nullable: false),
                    direction = table.Column<string>(type: "TEXT", maxLength: 10, nullable: false),
                    at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_initiative_votes", x => new { x.initiative_id, x.user_id });
                    table.ForeignKey(
                        name: "fk_initiative_votes_asp_net_users_user_id",
                        column: x => x.user_id,
                        principalTable: "asp_net_users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_initiative_votes_initiatives_initiative_id",
                        column: x => x.initiative_id,
                        principalTable: "initiatives",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "contributions",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    community_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    council_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    pool_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    share_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    contributor_id = table.Column<string>(type: "TEXT", nullable: false),
                    item_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    units = table.Column<int>(type: "INTEGER", nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 10, nullable: false),
                    decided_by = table.Column<string>(type: "TEXT", maxLength: 450, nullable: true),
                    decided_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    created_by = table.Column<string>(type: "TEXT", maxLength: 450, nullable: true),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_contributions", x => x.id);
                    table.CheckConstraint("ck_contributions_units", "units >= 1");
                    table.ForeignKey(
                        name: "fk_contributions_communities_community_id",
                        column: x => x.community_id,
                        principalTable: "communities",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_contributions_councils_council_id",
                        column: x => x.council_id,
                        principalTable: "councils",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_contributions_items_item_id",
                        column: x => x.item_id,
                        principalTable: "items",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_contributions_pools_pool_id",
                        column: x => x.pool_id,
                        principalTable: "pools",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_contributions_shares_share_id",
                        column: x => x.share_id,
                        principalTable: "shares",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_contributions_users_contributor_id",
                        column: x => x.contributor_id,
                        principalTable: "asp_net_users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "pool_allocations",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    community_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    pool_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    distribution_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    need_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    member_id = table.Column<string>(type: "TEXT", nullable: false),
                    item_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    units = table.Column<int>(type: "INTEGER", nullable: false),
                    strategy = table.Column<string>(type: "TEXT", maxLength: 15, nullable: false),
                    actor_id = table.Column<string>(type: "TEXT", nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false)
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
                    pool_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    item_id = table.Column<Guid>(type: "TEXT", nullable: false)
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

            migrationBuilder.CreateTable(
                name: "inventory_entries",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    community_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    council_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    pool_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    item_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    kind = table.Column<string>(type: "TEXT", maxLength: 15, nullable: false),
                    units = table.Column<int>(type: "INTEGER", nullable: false),
                    balance_after = table.Column<int>(type: "INTEGER", nullable: false),
                    share_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    contribution_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    note = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    actor_id = table.Column<string>(type: "TEXT", nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_inventory_entries", x => x.id);
                    table.CheckConstraint("ck_inventory_entries_units", "units <> 0 AND balance_after >= 0");
                    table.ForeignKey(
                        name: "fk_inventory_entries_communities_community_id",
                        column: x => x.community_id,
                        principalTable: "communities",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_inventory_entries_contributions_contribution_id",
                        column: x => x.contribution_id,
                        principalTable: "contributions",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_inventory_entries_councils_council_id",
                        column: x => x.council_id,
                        principalTable: "councils",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_inventory_entries_items_item_id",
                        column: x => x.item_id,
                        principalTable: "items",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_inventory_entries_pools_pool_id",
                        column: x => x.pool_id,
                        principalTable: "pools",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_inventory_entries_shares_share_id",
                        column: x => x.share_id,
                        principalTable: "shares",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_inventory_entries_users_actor_id",
                        column: x => x.actor_id,
                        principalTable: "asp_net_users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "ix_shares_source_council_id",
                table: "shares",
                column: "source_council_id");

            migrationBuilder.CreateIndex(
                name: "ix_shares_source_pool_id",
                table: "shares",
                column: "source_pool_id");

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

            migrationBuilder.CreateIndex(
                name: "ix_contributions_community_id",
                table: "contributions",
                column: "community_id");

            migrationBuilder.CreateIndex(
                name: "ix_contributions_contributor_id",
                table: "contributions",
                column: "contributor_id");

            migrationBuilder.CreateIndex(
                name: "ix_contributions_council_id_status_created_at",
                table: "contributions",
                columns: new[] { "council_id", "status", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_contributions_item_id",
                table: "contributions",
                column: "item_id");

            migrationBuilder.CreateIndex(
                name: "ix_contributions_pool_id_status_created_at",
                table: "contributions",
                columns: new[] { "pool_id", "status", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_contributions_share_id",
                table: "contributions",
                column: "share_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_council_managers_user_id",
                table: "council_managers",
                column: "user_id");

            migrationBuilder.CreateIndex(
                name: "ix_council_report_images_report_id_created_at",
                table: "council_report_images",
                columns: new[] { "report_id", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_council_reports_author_id",
                table: "council_reports",
                column: "author_id");

            migrationBuilder.CreateIndex(
                name: "ix_council_reports_community_id",
                table: "council_reports",
                column: "community_id");

            migrationBuilder.CreateIndex(
                name: "ix_council_reports_council_id_created_at",
                table: "council_reports",
                columns: new[] { "council_id", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_council_trust_history_council_id_at",
                table: "council_trust_history",
                columns: new[] { "council_id", "at" });

            migrationBuilder.CreateIndex(
                name: "ix_council_trust_history_user_id",
                table: "council_trust_history",
                column: "user_id");

            migrationBuilder.CreateIndex(
                name: "ix_council_trusts_council_id_user_id",
                table: "council_trusts",
                columns: new[] { "council_id", "user_id" },
                unique: true,
                filter: "deleted_at IS NULL");

            migrationBuilder.CreateIndex(
                name: "ix_council_trusts_user_id",
                table: "council_trusts",
                column: "user_id");

            migrationBuilder.CreateIndex(
                name: "ix_councils_community_id_normalized_name",
                table: "councils",
                columns: new[] { "community_id", "normalized_name" },
                unique: true,
                filter: "deleted_at IS NULL");

            migrationBuilder.CreateIndex(
                name: "ix_initiative_comments_author_id",
                table: "initiative_comments",
                column: "author_id");

            migrationBuilder.CreateIndex(
                name: "ix_initiative_comments_initiative_id_created_at",
                table: "initiative_comments",
                columns: new[] { "initiative_id", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_initiative_progress_author_id",
                table: "initiative_progress",
                column: "author_id");

            migrationBuilder.CreateIndex(
                name: "ix_initiative_progress_initiative_id_created_at",
                table: "initiative_progress",
                columns: new[] { "initiative_id", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_initiative_votes_user_id",
                table: "initiative_votes",
                column: "user_id");

            migrationBuilder.CreateIndex(
                name: "ix_initiatives_community_id",
                table: "initiatives",
                column: "community_id");

            migrationBuilder.CreateIndex(
                name: "ix_initiatives_council_id_status_score",
                table: "initiatives",
                columns: new[] { "council_id", "status", "score" });

            migrationBuilder.CreateIndex(
                name: "ix_inventory_balances_council_id",
                table: "inventory_balances",
                column: "council_id");

            migrationBuilder.CreateIndex(
                name: "ix_inventory_balances_item_id",
                table: "inventory_balances",
                column: "item_id");

            migrationBuilder.CreateIndex(
                name: "ix_inventory_entries_actor_id",
                table: "inventory_entries",
                column: "actor_id");

            migrationBuilder.CreateIndex(
                name: "ix_inventory_entries_community_id",
                table: "inventory_entries",
                column: "community_id");

            migrationBuilder.CreateIndex(
                name: "ix_inventory_entries_contribution_id",
                table: "inventory_entries",
                column: "contribution_id");

            migrationBuilder.CreateIndex(
                name: "ix_inventory_entries_council_id_created_at",
                table: "inventory_entries",
                columns: new[] { "council_id", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_inventory_entries_council_id_item_id_created_at",
                table: "inventory_entries",
                columns: new[] { "council_id", "item_id", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_inventory_entries_item_id",
                table: "inventory_entries",
                column: "item_id");

            migrationBuilder.CreateIndex(
                name: "ix_inventory_entries_pool_id_created_at",
                table: "inventory_entries",
                columns: new[] { "pool_id", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_inventory_entries_share_id",
                table: "inventory_entries",
                column: "share_id");

            migrationBuilder.CreateIndex(
                name: "ix_needs_community_id_status_priority",
                table: "needs",
                columns: new[] { "community_id", "status", "priority" });

            migrationBuilder.CreateIndex(
                name: "ix_needs_council_id_status",
                table: "needs",
                columns: new[] { "council_id", "status" });

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
                name: "fk_shares_councils_source_council_id",
                table: "shares",
                column: "source_council_id",
                principalTable: "councils",
                principalColumn: "id",
                onDelete: ReferentialAction.Restrict);

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
                name: "fk_shares_councils_source_council_id",
                table: "shares");

            migrationBuilder.DropForeignKey(
                name: "fk_shares_pools_source_pool_id",
                table: "shares");

            migrationBuilder.DropTable(
                name: "checkouts");

            migrationBuilder.DropTable(
                name: "council_managers");

            migrationBuilder.DropTable(
                name: "council_report_images");

            migrationBuilder.DropTable(
                name: "council_trust_history");

            migrationBuilder.DropTable(
                name: "council_trusts");

            migrationBuilder.DropTable(
                name: "initiative_comments");

            migrationBuilder.DropTable(
                name: "initiative_progress");

            migrationBuilder.DropTable(
                name: "initiative_votes");

            migrationBuilder.DropTable(
                name: "inventory_balances");

            migrationBuilder.DropTable(
                name: "inventory_entries");

            migrationBuilder.DropTable(
                name: "pool_allocations");

            migrationBuilder.DropTable(
                name: "pool_items");

            migrationBuilder.DropTable(
                name: "checkout_links");

            migrationBuilder.DropTable(
                name: "council_reports");

            migrationBuilder.DropTable(
                name: "initiatives");

            migrationBuilder.DropTable(
                name: "contributions");

            migrationBuilder.DropTable(
                name: "needs");

            migrationBuilder.DropTable(
                name: "pools");

            migrationBuilder.DropTable(
                name: "councils");

            migrationBuilder.DropIndex(
                name: "ix_shares_source_council_id",
                table: "shares");

            migrationBuilder.DropIndex(
                name: "ix_shares_source_pool_id",
                table: "shares");

            migrationBuilder.DropColumn(
                name: "source_council_id",
                table: "shares");

            migrationBuilder.DropColumn(
                name: "source_pool_id",
                table: "shares");

            migrationBuilder.DropColumn(
                name: "edited_at",
                table: "share_comments");
        }
    }
}
