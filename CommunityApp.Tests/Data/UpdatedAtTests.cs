using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using CommunityApp.Data;
using CommunityApp.Features.Communities;
using CommunityApp.Features.Invites;
using CommunityApp.Features.Trust;
using CommunityApp.Features.Wealth;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Data;

/// <summary><c>updated_at</c> follows every write: tracked saves (the audit interceptor) and bulk <c>ExecuteUpdate</c>s (<see cref="BulkWrites"/>).</summary>
public sealed partial class UpdatedAtTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    private static readonly DateTimeOffset Created = new(2030, 3, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Later = new(2030, 3, 2, 17, 30, 0, TimeSpan.Zero);

    [Fact]
    public async Task The_request_lifecycle_stamps_the_share_and_the_request_it_moves_in_bulk()
    {
        fixture.Clock.Set(Created);
        var (communityId, owner) = await fixture.CreateCommunityAsync();
        var requester = await fixture.AddMemberAsync(communityId, score: 10);
        var shares = fixture.Get<ShareService>();
        var shareId = await shares.CreateAsync(owner, communityId, new ShareInput("Ladder", null, WealthKind.Object, 2));
        var requestId = await shares.RequestAsync(requester, shareId, 1, null);
        (await StampsAsync(shareId, requestId)).ShouldBe((Created.UtcDateTime, Created.UtcDateTime));

        fixture.Clock.Set(Later);
        await shares.AcceptAsync(owner, requestId);

        (await StampsAsync(shareId, requestId)).ShouldBe((Later.UtcDateTime, Later.UtcDateTime));
        await using var db = await fixture.NewContextAsync();
        (await db.Shares.SingleAsync(s => s.Id == shareId)).ShouldSatisfyAllConditions(s => s.UnitsReserved.ShouldBe(1), s => s.CreatedAt.ShouldBe(Created.UtcDateTime));
    }

    [Fact]
    public async Task Cancelling_a_share_and_expiring_one_stamp_their_bulk_writes()
    {
        fixture.Clock.Set(Created);
        var (communityId, owner) = await fixture.CreateCommunityAsync();
        var requester = await fixture.AddMemberAsync(communityId, score: 10);
        var shares = fixture.Get<ShareService>();
        var cancelled = await shares.CreateAsync(owner, communityId, new ShareInput("Tent", null, WealthKind.Object, 1));
        var requestId = await shares.RequestAsync(requester, cancelled, 1, null);
        var expiring = await shares.CreateAsync(owner, communityId, new ShareInput("Soup", null, WealthKind.Object, 1, ExpiresAt: Created.UtcDateTime.AddHours(1)));

        fixture.Clock.Set(Later);
        await shares.CancelShareAsync(owner, cancelled);
        (await shares.ExpireDueAsync()).ShouldBeGreaterThanOrEqualTo(1);

        (await StampsAsync(cancelled, requestId)).ShouldBe((Later.UtcDateTime, Later.UtcDateTime));
        await using var db = await fixture.NewContextAsync();
        (await db.Shares.SingleAsync(s => s.Id == expiring)).ShouldSatisfyAllConditions(s => s.Status.ShouldBe(ShareStatus.Expired), s => s.UpdatedAt.ShouldBe(Later.UtcDateTime));
    }

    [Fact]
    public async Task Awards_and_renewals_stamp_the_receivers_membership_and_the_award()
    {
        fixture.Clock.Set(Created);
        var (communityId, _) = await fixture.CreateCommunityAsync();
        var receiver = await fixture.AddMemberAsync(communityId);
        var giver = await fixture.AddMemberAsync(communityId, score: 20);
        var trust = fixture.Get<TrustService>();
        (await MembershipAsync(communityId, receiver)).UpdatedAt.ShouldBe(Created.UtcDateTime);

        fixture.Clock.Set(Later);
        await trust.AwardAsync(giver, communityId, receiver);
        (await MembershipAsync(communityId, receiver)).ShouldSatisfyAllConditions(m => m.TrustScore.ShouldBe(1), m => m.UpdatedAt.ShouldBe(Later.UtcDateTime));

        var renewed = Later.AddDays(3);
        fixture.Clock.Set(renewed);
        await trust.RenewAsync(giver, communityId);
        await using var db = await fixture.NewContextAsync();
        (await db.TrustAwards.SingleAsync(a => a.CommunityId == communityId && a.ReceiverId == receiver))
            .ShouldSatisfyAllConditions(a => a.RenewedAt.ShouldBe(renewed.UtcDateTime), a => a.UpdatedAt.ShouldBe(renewed.UtcDateTime), a => a.CreatedAt.ShouldBe(Later.UtcDateTime));
    }

    [Fact]
    public async Task Redeeming_and_answering_invites_stamp_the_invites()
    {
        fixture.Clock.Set(Created);
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var invites = fixture.Get<InviteService>();
        var (linkId, secret) = await invites.CreateLinkAsync(admin, communityId, new LinkInviteInput("Neighbours", MemberRole.Member, Created.UtcDateTime.AddDays(7), 5));
        var invited = await fixture.CreateUserAsync("invited" + Guid.NewGuid().ToString("N")[..8]);
        var userName = await UserNameAsync(invited);
        var directId = await invites.CreateDirectAsync(admin, communityId, new DirectInviteInput(userName, MemberRole.Member));
        var joiner = await fixture.CreateUserAsync();

        fixture.Clock.Set(Later);
        await invites.RedeemLinkAsync(joiner, secret);
        await invites.AcceptAsync(invited, directId);

        await using var db = await fixture.NewContextAsync();
        (await db.Invites.SingleAsync(i => i.Id == linkId)).ShouldSatisfyAllConditions(i => i.Uses.ShouldBe(1), i => i.UpdatedAt.ShouldBe(Later.UtcDateTime));
        (await db.Invites.SingleAsync(i => i.Id == directId)).ShouldSatisfyAllConditions(i => i.State.ShouldBe(InviteState.Redeemed), i => i.UpdatedAt.ShouldBe(Later.UtcDateTime));
    }

    [Fact]
    public void Every_bulk_update_of_an_entity_with_updated_at_goes_through_the_stamping_helper()
    {
        var auditableSets = typeof(AppDbContext).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.PropertyType.IsGenericType && p.PropertyType.GetGenericTypeDefinition() == typeof(DbSet<>)
                        && typeof(IAuditable).IsAssignableFrom(p.PropertyType.GetGenericArguments()[0]))
            .Select(p => p.Name).ToHashSet();
        auditableSets.ShouldContain(nameof(AppDbContext.Shares));
        var app = Path.Combine(RepositoryRoot(), "CommunityApp");

        var offenders = Directory.EnumerateFiles(app, "*.*", SearchOption.AllDirectories)
            .Where(f => (f.EndsWith(".cs") || f.EndsWith(".razor")) && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")
                        && !f.EndsWith(Path.Combine("Data", "BulkWrites.cs")))
            .SelectMany(f => Statements(File.ReadAllText(f)).Where(s => BulkUpdate().IsMatch(s)).Select(s => (File: Path.GetFileName(f), Statement: s)))
            .Where(u => DbSetOf(u.Statement) is not { } set || auditableSets.Contains(set))
            .Select(u => $"{u.File}: {u.Statement.Trim()}")
            .ToList();

        offenders.ShouldBeEmpty("use ExecuteUpdateStampedAsync (Data/BulkWrites.cs) so updated_at follows the write");
    }

    private async Task<(DateTime Share, DateTime Request)> StampsAsync(Guid shareId, Guid requestId)
    {
        await using var db = await fixture.NewContextAsync();
        return (await db.Shares.Where(s => s.Id == shareId).Select(s => s.UpdatedAt).SingleAsync(),
            await db.ShareRequests.Where(r => r.Id == requestId).Select(r => r.UpdatedAt).SingleAsync());
    }

    private async Task<Membership> MembershipAsync(Guid communityId, string userId)
    {
        await using var db = await fixture.NewContextAsync();
        return await db.Memberships.AsNoTracking().SingleAsync(m => m.CommunityId == communityId && m.UserId == userId);
    }

    private async Task<string> UserNameAsync(string userId)
    {
        await using var db = await fixture.NewContextAsync();
        return await db.Users.Where(u => u.Id == userId).Select(u => u.UserName!).SingleAsync();
    }

    private static IEnumerable<string> Statements(string source) => source.Split([';', '{', '}']);

    /// <summary>The DbSet a statement updates (<c>db.Shares.Where(…).ExecuteUpdateAsync</c>), or null when it cannot tell.</summary>
    private static string? DbSetOf(string statement) => DbSet().Match(statement) is { Success: true } m ? m.Groups[1].Value : null;

    [GeneratedRegex(@"\.ExecuteUpdate(Async)?\(")]
    private static partial Regex BulkUpdate();

    [GeneratedRegex(@"\bdb\.(\w+)\b")]
    private static partial Regex DbSet();

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CommunityApp.sln"))) return dir.FullName;
        }
        throw new DirectoryNotFoundException("CommunityApp.sln not found");
    }
}
