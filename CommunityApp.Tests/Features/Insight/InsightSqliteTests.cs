using System.Text;
using CommunityApp.Features.Audit;
using CommunityApp.Features.Insight;
using CommunityApp.Features.Members;
using CommunityApp.Features.Trust;
using CommunityApp.Features.Wealth;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Features.Insight;

/// <summary>The Insight queries also run on SQLite, the embedded default: statistics, non-contributors, the ring run and the CSVs.</summary>
public sealed class InsightSqliteTests(SqliteServiceFixture fixture) : IClassFixture<SqliteServiceFixture>
{
    [Fact]
    public async Task Statistics_non_contributors_rings_and_csv_run_on_sqlite()
    {
        fixture.Clock.Set(DateTimeOffset.UtcNow.AddDays(-60));
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var member = await fixture.AddMemberAsync(communityId);
        fixture.Clock.Set(DateTimeOffset.UtcNow.AddDays(-40));
        await using (var db = await fixture.NewContextAsync())
        {
            var share = new Share { CommunityId = communityId, OwnerId = member, Title = "Bread", Kind = WealthKind.Object, UnitsOffered = 2 };
            db.Shares.Add(share);
            db.ShareRequests.Add(new ShareRequest { ShareId = share.Id, RequesterId = admin, Units = 1, Status = RequestStatus.Fulfilled });
            db.TrustAwards.Add(new TrustAward { CommunityId = communityId, GiverId = admin, ReceiverId = member, RenewedAt = DateTime.UtcNow });
            db.TrustHistory.Add(new TrustHistoryEntry { CommunityId = communityId, ActorId = admin, SubjectId = member, Action = TrustHistoryAction.Awarded, Points = 1, CreatedAt = DateTime.UtcNow.AddDays(-40) });
            await db.SaveChangesAsync();
        }
        fixture.Clock.Reset();

        var stats = await fixture.Get<InsightService>().MemberStatsAsync(admin, communityId, member);
        (stats.SharesPublished, stats.RequestsFulfilled, stats.FulfilmentRate, stats.TrustReceived).ShouldBe((1, 1, (double?)1, 1));
        stats.Months.Sum(m => m.Shares).ShouldBe(1);
        stats.Months.Sum(m => m.TrustReceived).ShouldBe(1);

        var page = await fixture.Get<InsightService>().NonContributorsAsync(admin, communityId, new NonContributorQuery(NonContributorSort.LastContribution));
        page.Page.Items.Select(r => (r.UserId, r.LastContribution is null)).ShouldBe([(admin, true), (member, false)]);

        var rings = fixture.Get<TrustRingService>();
        (await rings.ScanAsync(communityId)).ShouldBeTrue();
        (await rings.ScanAsync(communityId)).ShouldBeFalse();
        (await rings.ReportAsync(admin, communityId)).ComputedAt.ShouldNotBeNull();

        var exports = fixture.Get<CsvExports>();
        foreach (var export in new[]
                 {
                     await exports.MembersAsync(admin, communityId, null, MemberSort.Name),
                     await exports.NonContributorsAsync(admin, communityId, NonContributorSort.Joined),
                     await exports.AuditAsync(admin, communityId, new AuditFilter(From: DateTime.UtcNow.AddDays(-1))),
                     await exports.RequestsAsync(member, communityId, incoming: true, RequestStatus.Fulfilled),
                 })
        {
            using var stream = new MemoryStream();
            await export.WriteAsync(stream, CancellationToken.None);
            Encoding.UTF8.GetString(stream.ToArray()).ShouldNotBeEmpty();
        }
    }
}
