using Microsoft.EntityFrameworkCore;
using CommunityApp.Auth;
using CommunityApp.Features.Audit;
using CommunityApp.Features.Communities;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Features.Audit;

/// <summary>
/// The audit log on PostgreSQL reads the viewer's standing, the capped count and the page in one batch of plain SQL
/// (issue #14, part 2). The same calls through EF Core's path (SQLite's, run here on PostgreSQL) must give the same pages
/// and the same refusals.
/// </summary>
public sealed class AuditOneBatchTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    private AuditService Audit => fixture.Get<AuditService>();

    private static string Render(Page<AuditRow> page) =>
        $"total {page.Total} page {page.PageIndex}/{page.PageSize}\n" +
        string.Join("\n", page.Items.Select(e => $"{e.Id} {e.At:O} {e.ActorId} {e.ActorName} {e.Action} {e.TargetName} {e.Details}"));

    [Fact]
    public async Task Audit_pages_in_one_batch_are_the_EF_paths_for_every_filter_and_page()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var second = await fixture.AddMemberAsync(communityId, MemberRole.Admin);
        var member = await fixture.AddMemberAsync(communityId);
        var (other, otherAdmin) = await fixture.CreateCommunityAsync("Elsewhere");
        // Entries with ties on their time (the id breaks them), two actors, targets or none, and another community's.
        var at = new DateTime(2026, 3, 1, 12, 0, 0, DateTimeKind.Utc);
        AuditAction[] actions = [AuditAction.FeatureRoleGranted, AuditAction.CommunityEdited, AuditAction.FeatureRoleRevoked];
        await using (var db = await fixture.NewContextAsync())
        {
            for (var i = 0; i < 23; i++)
            {
                db.AuditLog.Add(AuditEntry.Record(communityId, i % 3 == 0 ? second : admin, actions[i % 3], new { n = i },
                    targetUserId: i % 2 == 0 ? member : null, at: at.AddMinutes(i / 4)));
            }
            db.AuditLog.Add(AuditEntry.Record(other, otherAdmin, AuditAction.CommunityEdited, new { n = "other" }, at: at));
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        }

        AuditFilter[] filters =
        [
            new(), new(ActorId: second), new(ActorId: ""), new(Action: AuditAction.CommunityEdited), new(ActorId: admin, Action: AuditAction.FeatureRoleRevoked),
            new(From: at.AddMinutes(2)), new(To: at.AddMinutes(3)), new(From: at.AddMinutes(1), To: at.AddMinutes(4)), new(ActorId: "nobody"),
        ];
        var compared = 0;
        foreach (var filter in filters)
        {
            foreach (var (pageIndex, pageSize) in new[] { (0, 25), (0, 4), (1, 4), (5, 4), (0, 1), (int.MaxValue, 10) })
            {
                var paged = filter with { PageIndex = pageIndex, PageSize = pageSize };
                var batch = await Audit.ListAsync(admin, communityId, paged, oneBatch: true);
                Render(batch).ShouldBe(Render(await Audit.ListAsync(admin, communityId, paged, oneBatch: false)), $"{paged}");
                compared += batch.Items.Count;
            }
            // Keyset pages from the newest to the oldest, each after the last entry the batch path gave.
            AuditCursor? after = null;
            var seen = 0;
            while (true)
            {
                var paged = filter with { PageSize = 3, After = after };
                var batch = await Audit.ListAsync(second, communityId, paged, oneBatch: true);
                Render(batch).ShouldBe(Render(await Audit.ListAsync(second, communityId, paged, oneBatch: false)), $"{paged}");
                seen += batch.Items.Count;
                if (batch.Items.Count < 3) break;
                after = new AuditCursor(batch.Items[^1].At, batch.Items[^1].Id);
            }
            seen.ShouldBe((await Audit.ListAsync(admin, communityId, filter, oneBatch: false)).Total);
        }
        compared.ShouldBeGreaterThan(100);
        var all = await Audit.ListAsync(admin, communityId, new AuditFilter(PageSize: 100), oneBatch: true);
        all.Total.ShouldBe(23);
        all.Items.Count(e => e.TargetName is not null).ShouldBe(12);
    }

    [Fact]
    public async Task Members_and_outsiders_get_the_same_refusals_from_both_paths()
    {
        var (communityId, _) = await fixture.CreateCommunityAsync();
        var member = await fixture.AddMemberAsync(communityId);
        var outsider = await fixture.CreateUserAsync();
        var (deleted, deletedAdmin) = await fixture.CreateCommunityAsync("Gone");
        await using (var db = await fixture.NewContextAsync())
        {
            await db.Communities.Where(c => c.Id == deleted).ExecuteUpdateAsync(s => s.SetProperty(c => c.DeletedAt, fixture.Clock.GetUtcNow().UtcDateTime),
                TestContext.Current.CancellationToken);
        }

        foreach (var (viewer, community, refusal, key) in new[]
                 {
                     (member, communityId, typeof(ForbiddenException), "Error.AdminsOnly"), (outsider, communityId, typeof(ForbiddenException), "Error.NotMember"),
                     (outsider, Guid.NewGuid(), typeof(NotFoundException), "Error.CommunityNotFound"), (deletedAdmin, deleted, typeof(NotFoundException), "Error.CommunityNotFound"),
                 })
        {
            var batch = await Refusals.Refused(() => Audit.ListAsync(viewer, community, new AuditFilter(), oneBatch: true));
            var ef = await Refusals.Refused(() => Audit.ListAsync(viewer, community, new AuditFilter(), oneBatch: false));
            batch.GetType().ShouldBe(refusal);
            batch.Message.ShouldBe(CommunityApp.Resources.Text.Get(key));
            (batch.GetType(), batch.Message).ShouldBe((ef.GetType(), ef.Message));
        }
    }
}
