using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CommunityApp.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class RecurringShares : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
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

            migrationBuilder.CreateIndex(
                name: "ix_shares_period_end",
                table: "shares",
                column: "period_end",
                filter: "period_end IS NOT NULL");

            migrationBuilder.AddCheckConstraint(
                name: "ck_shares_period",
                table: "shares",
                sql: "(recurrence = 'Once' AND period_start IS NULL AND period_end IS NULL) OR (recurrence <> 'Once' AND period_start IS NOT NULL AND period_end IS NOT NULL AND period_end > period_start AND target = 'Community' AND source_council_id IS NULL)");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_shares_period_end",
                table: "shares");

            migrationBuilder.DropCheckConstraint(
                name: "ck_shares_period",
                table: "shares");

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
        }
    }
}
