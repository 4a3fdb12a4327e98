using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore;
using CommunityApp.Features.Communities;
using CommunityApp.Features.Invites;
using CommunityApp.Features.Members;
using CommunityApp.Features.Trust;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Features.Communities;

/// <summary>
/// A community's member count is kept by the database (triggers on memberships, migration MemberCount) through every way
/// a membership starts, ends or comes back, including many at once and in parallel; every page that shows it reads it.
/// </summary>
public abstract class MemberCountTests(ServiceFixture fixture)
{
    private async Task<(int Kept, int Counted)> CountsAsync(Guid communityId)
    {
        await using var db = await fixture.NewContextAsync();
        var kept = await db.Communities.Where(c => c.Id == communityId).Select(c => c.MemberCount).SingleAsync();
        var counted = await db.Memberships.CountAsync(m => m.CommunityId == communityId);
        return (kept, counted);
    }

    private async Task ShouldCountAsync(Guid communityId, int expected, string because)
    {
        var (kept, counted) = await CountsAsync(communityId);
        counted.ShouldBe(expected, because);
        kept.ShouldBe(expected, because);
    }

    private async Task<string> LinkAsync(Guid communityId, string admin) =>
        (await fixture.Get<InviteService>().CreateLinkAsync(admin, communityId,
            new LinkInviteInput("Everyone", MemberRole.Member, fixture.Clock.GetUtcNow().UtcDateTime.AddDays(7), null))).Secret;

    [Fact]
    public async Task The_count_follows_every_join_leave_removal_return_and_delete_and_every_page_shows_it()
    {
        var (community, admin) = await fixture.CreateCommunityAsync();
        await ShouldCountAsync(community, 1, "the creator");
        var invites = fixture.Get<InviteService>();
        var members = fixture.Get<MemberService>();

        // Twelve people open the same link at once.
        var secret = await LinkAsync(community, admin);
        var joiners = new List<string>();
        for (var i = 0; i < 12; i++) joiners.Add(await fixture.CreateUserAsync());
        await Task.WhenAll(joiners.Select(id => invites.RedeemLinkAsync(id, secret)));
        await ShouldCountAsync(community, 13, "twelve joined through the link");

        // A second redemption by a member changes nothing; neither do a role, a feature role or a trust award.
        await invites.RedeemLinkAsync(joiners[0], secret);
        await members.ChangeRoleAsync(admin, community, joiners[1], MemberRole.Admin);
        await fixture.SetScoreAsync(community, admin, 20);
        await fixture.Get<TrustService>().AwardAsync(admin, community, joiners[2]);
        await ShouldCountAsync(community, 13, "no one joined or left");

        await members.LeaveAsync(joiners[3], community);
        await members.RemoveAsync(admin, community, joiners[4]);
        await ShouldCountAsync(community, 11, "one left and one was removed");

        // The removed member comes back through a direct invite: a new membership.
        var userName = await UserNameAsync(joiners[4]);
        var invite = await invites.CreateDirectAsync(admin, community, new DirectInviteInput(userName, MemberRole.Member));
        await invites.AcceptAsync(joiners[4], invite);
        await ShouldCountAsync(community, 12, "the removed member returned");

        await using (var db = await fixture.NewContextAsync())
        {
            // A membership restored in place, and two deleted outright in one statement.
            await db.Memberships.IgnoreQueryFilters().Where(m => m.CommunityId == community && m.UserId == joiners[3])
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.DeletedAt, (DateTime?)null));
            await ShouldCountAsync(community, 13, "the one who left was restored");
            await db.Memberships.Where(m => m.CommunityId == community && (m.UserId == joiners[5] || m.UserId == joiners[6])).ExecuteDeleteAsync();
        }
        await ShouldCountAsync(community, 11, "two memberships were deleted");

        var communities = fixture.Get<CommunityService>();
        (await communities.GetHomeAsync(admin, community)).MemberCount.ShouldBe(11);
        (await communities.ListMineAsync(admin)).Items.Single(c => c.Id == community).MemberCount.ShouldBe(11);
        (await members.ListAsync(admin, community, new MemberQuery(null, MemberSort.TrustDescending, 0, 5))).Total.ShouldBe(11);
        (await fixture.Get<TrustViewService>().NetworkAsync(admin, community, null, 0, 5)).Total.ShouldBe(11);
    }

    [Fact]
    public async Task Many_memberships_of_two_communities_written_in_one_statement_count_in_each()
    {
        var (first, _) = await fixture.CreateCommunityAsync();
        var (second, _) = await fixture.CreateCommunityAsync();
        var users = new List<string>();
        for (var i = 0; i < 30; i++) users.Add(await fixture.CreateUserAsync());
        await using (var db = await fixture.NewContextAsync())
        {
            // One left already: inserted deleted, it is not counted.
            db.Memberships.AddRange(users.Select((u, i) => new Membership
            {
                CommunityId = i % 3 == 0 ? second : first, UserId = u, Role = MemberRole.Member,
                DeletedAt = i == 1 ? fixture.Clock.GetUtcNow().UtcDateTime : null,
            }));
            await db.SaveChangesAsync();
        }
        await ShouldCountAsync(first, 1 + 20 - 1, "the creator and 19 live of 20");
        await ShouldCountAsync(second, 1 + 10, "the creator and 10");

        await using (var db = await fixture.NewContextAsync())
        {
            var some = users.Take(9).ToList();
            (await db.Memberships.IgnoreQueryFilters().Where(m => some.Contains(m.UserId)).ExecuteDeleteAsync()).ShouldBe(9);
        }
        // Of users 0–8: 0, 3, 6 were the second's; 1 (deleted already), 2, 4, 5, 7, 8 the first's.
        await ShouldCountAsync(first, 20 - 5, "five live members of the first deleted, and one already gone");
        await ShouldCountAsync(second, 11 - 3, "three of the second deleted");
    }

    [Fact]
    public async Task A_changed_leaving_date_changes_nothing_and_a_membership_moved_to_another_community_counts_there()
    {
        var (first, _) = await fixture.CreateCommunityAsync();
        var (second, _) = await fixture.CreateCommunityAsync();
        var moved = await fixture.AddMemberAsync(first);
        var gone = await fixture.AddMemberAsync(first);
        var now = fixture.Clock.GetUtcNow().UtcDateTime;
        await using (var db = await fixture.NewContextAsync())
        {
            await db.Memberships.Where(m => m.UserId == gone).ExecuteUpdateAsync(s => s.SetProperty(m => m.DeletedAt, now));
            await db.Memberships.IgnoreQueryFilters().Where(m => m.UserId == gone).ExecuteUpdateAsync(s => s.SetProperty(m => m.DeletedAt, now.AddDays(1)));
            await db.Memberships.Where(m => m.UserId == moved).ExecuteUpdateAsync(s => s.SetProperty(m => m.CommunityId, second));
        }

        await ShouldCountAsync(first, 1, "the creator: one member moved away, one left (and the date they left changed)");
        await ShouldCountAsync(second, 2, "the creator and the member moved in");
    }

    [Fact]
    public async Task Members_leaving_while_others_join_leave_the_count_exact()
    {
        var (community, admin) = await fixture.CreateCommunityAsync();
        var leavers = new List<string>();
        for (var i = 0; i < 8; i++) leavers.Add(await fixture.AddMemberAsync(community));
        var joiners = new List<string>();
        for (var i = 0; i < 8; i++) joiners.Add(await fixture.CreateUserAsync());
        var secret = await LinkAsync(community, admin);
        var members = fixture.Get<MemberService>();
        var invites = fixture.Get<InviteService>();

        await Task.WhenAll(leavers.Select(id => members.LeaveAsync(id, community))
            .Concat(joiners.Select(id => (Task)invites.RedeemLinkAsync(id, secret))));

        await ShouldCountAsync(community, 1 + 8, "eight left and eight joined");
    }

    [Fact]
    public async Task Every_page_that_shows_the_member_count_reads_the_kept_one_and_counts_no_members()
    {
        var (community, admin) = await fixture.CreateCommunityAsync();
        await fixture.SetScoreAsync(community, admin, 100);
        var poll = await fixture.Get<CommunityApp.Features.Polls.PollService>().CreateAsync(admin, community,
            new CommunityApp.Features.Polls.PollInput("Paint the hall?", null, ["Yes", "No"], DurationHours: 48));
        await using (var db = await fixture.NewContextAsync())
        {
            // One member in fact: a page that counted them would say 1.
            await db.Communities.Where(c => c.Id == community).ExecuteUpdateAsync(s => s.SetProperty(c => c.MemberCount, 12_345));
        }
        var network = fixture.Get<TrustViewService>();

        (await fixture.Get<CommunityService>().GetHomeAsync(admin, community)).MemberCount.ShouldBe(12_345);
        (await fixture.Get<CommunityService>().ListMineAsync(admin)).Items.Single(c => c.Id == community).MemberCount.ShouldBe(12_345);
        var page = await fixture.Get<MemberService>().ListAsync(admin, community, new MemberQuery(null, MemberSort.Name, 0, 5));
        (page.Total, page.TotalCapped, page.Items.Count).ShouldBe((MemberService.CountCap + 1, true, 1), "the pager's total stops at the cap");
        (await network.NetworkAsync(admin, community, null, 0, 5)).Total.ShouldBe(MemberService.CountCap + 1);
        (await network.GraphAsync(admin, community)).ShouldBeNull("too many members to draw");
        (await fixture.Get<CommunityApp.Features.Polls.PollService>().GetAsync(admin, community, poll)).Members.ShouldBe(12_345);
        (await fixture.Get<CommunityApp.Features.Health.HealthService>().ComputeAsync(community, CommunityApp.Features.Health.HealthRange.Week, [],
            fixture.Clock.GetUtcNow().UtcDateTime)).Members.ShouldBe(12_345);
    }

    private async Task<string> UserNameAsync(string userId)
    {
        await using var db = await fixture.NewContextAsync();
        return await db.Users.Where(u => u.Id == userId).Select(u => u.UserName!).SingleAsync();
    }
}

public sealed class PostgresMemberCountTests(ServiceFixture fixture) : MemberCountTests(fixture), IClassFixture<ServiceFixture>;

public sealed class SqliteMemberCountTests(SqliteServiceFixture fixture) : MemberCountTests(fixture), IClassFixture<SqliteServiceFixture>;

/// <summary>
/// The migration counts the members a database already has: migrated back to before it (its Down drops the triggers and
/// the column), a member joins with nothing to count them, and migrating forward again counts every live member.
/// </summary>
public abstract class MemberCountMigrationTests(ServiceFixture fixture)
{
    [Fact]
    public async Task Migrating_forward_counts_the_members_already_there_including_those_added_while_nothing_kept_the_count()
    {
        var (community, _) = await fixture.CreateCommunityAsync();
        var leaver = await fixture.AddMemberAsync(community);
        await fixture.AddMemberAsync(community);
        await fixture.Get<MemberService>().LeaveAsync(leaver, community);
        await using (var db = await fixture.NewContextWithoutRetriesAsync())
        {
            var migrator = db.GetService<Microsoft.EntityFrameworkCore.Migrations.IMigrator>();
            var migrations = db.Database.GetMigrations().ToList();
            var memberCount = migrations.FindIndex(m => m.EndsWith("_MemberCount", StringComparison.Ordinal));
            memberCount.ShouldBePositive();
            await migrator.MigrateAsync(migrations[memberCount - 1]);
            // No column, no triggers: this member is counted only by the migration's first count.
            await fixture.AddMemberAsync(community);
            await migrator.MigrateAsync();
        }

        await using var check = await fixture.NewContextAsync();
        (await check.Communities.Where(c => c.Id == community).Select(c => c.MemberCount).SingleAsync()).ShouldBe(3, "the creator and two members; one left");
        // And the triggers are back.
        await fixture.AddMemberAsync(community);
        (await check.Communities.Where(c => c.Id == community).Select(c => c.MemberCount).SingleAsync()).ShouldBe(4);
    }
}

public sealed class PostgresMemberCountMigrationTests(ServiceFixture fixture) : MemberCountMigrationTests(fixture), IClassFixture<ServiceFixture>;

public sealed class SqliteMemberCountMigrationTests(SqliteServiceFixture fixture) : MemberCountMigrationTests(fixture), IClassFixture<SqliteServiceFixture>;
