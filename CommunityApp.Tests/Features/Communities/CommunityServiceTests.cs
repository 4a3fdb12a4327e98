using Microsoft.EntityFrameworkCore;
using CommunityApp.Auth;
using CommunityApp.Features.Communities;
using CommunityApp.Features.Members;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Features.Communities;

public sealed class CommunityServiceTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    private CommunityService Service => fixture.Get<CommunityService>();

    [Fact]
    public async Task Creating_a_community_makes_the_creator_its_admin_with_default_levels_and_thresholds()
    {
        var creator = await fixture.CreateUserAsync();

        var id = await Service.CreateAsync(creator, new CommunityInput("  Garden Club ", " Seeds and tools "), TestContext.Current.CancellationToken);

        await using var db = await fixture.NewContextAsync();
        var community = await db.Communities.Include(c => c.TrustLevels).Include(c => c.Memberships).SingleAsync(c => c.Id == id);
        community.Name.ShouldBe("Garden Club");
        community.Description.ShouldBe("Seeds and tools");
        community.CreatedBy.ShouldBe(creator);
        community.CreatedAt.Kind.ShouldBe(DateTimeKind.Utc);
        community.CreatedAt.ShouldBeInRange(DateTime.UtcNow.AddMinutes(-1), DateTime.UtcNow.AddMinutes(1));
        community.Memberships.ShouldHaveSingleItem().ShouldSatisfyAllConditions(
            m => m.UserId.ShouldBe(creator),
            m => m.Role.ShouldBe(MemberRole.Admin));
        community.TrustLevels.OrderBy(l => l.MinScore).Select(l => (l.Name, l.MinScore))
            .ShouldBe([("New", 0), ("Stable", 10), ("Trusted", 50)]);
        foreach (var permission in PermissionCatalog.All)
        {
            community.Settings.ThresholdFor(permission.Permission).ShouldBe(Threshold.Number(permission.DefaultThreshold));
        }
        community.Settings.ThresholdFor(Permission.AwardTrust).Value.ShouldBe(15);
        community.Settings.Decay.Enabled.ShouldBeFalse();
        community.Settings.Decay.FullMonths.ShouldBe(6);
        community.Settings.Decay.ExpireMonths.ShouldBe(12);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public async Task A_community_without_a_name_is_refused_and_nothing_is_created(string name)
    {
        var creator = await fixture.CreateUserAsync();

        var ex = await Should.ThrowAsync<ValidationFailedException>(() => Service.CreateAsync(creator, new CommunityInput(name, null)));

        ex.Errors.Keys.ShouldContain("Name");
        (await Service.ListMineAsync(creator)).Total.ShouldBe(0);
    }

    [Fact]
    public async Task Names_and_descriptions_over_their_limits_are_refused()
    {
        var creator = await fixture.CreateUserAsync();

        var ex = await Should.ThrowAsync<ValidationFailedException>(() =>
            Service.CreateAsync(creator, new CommunityInput(new string('n', 101), new string('d', 2001))));

        ex.Errors.Keys.ShouldBe(["Name", "Description"], ignoreOrder: true);
        ex.Errors["Name"].ShouldBe("Use at most 100 characters for the name.");
        ex.Errors["Description"].ShouldBe("Use at most 2000 characters for the description.");
        await using (var db = await fixture.NewContextAsync())
        {
            (await db.Communities.IgnoreQueryFilters().AnyAsync(c => c.CreatedBy == creator)).ShouldBeFalse();
        }

        // Exactly at the limits is fine, and stored in full.
        var id = await Service.CreateAsync(creator, new CommunityInput(new string('n', 100), new string('d', 2000)));

        await using var check = await fixture.NewContextAsync();
        var stored = await check.Communities.SingleAsync(c => c.CreatedBy == creator);
        stored.Id.ShouldBe(id);
        stored.Name.ShouldBe(new string('n', 100));
        stored.Description.ShouldBe(new string('d', 2000));
        (await Service.ListMineAsync(creator)).Items.ShouldHaveSingleItem().Id.ShouldBe(id);
    }

    [Fact]
    public async Task My_communities_lists_only_mine_with_role_and_member_count_in_pages()
    {
        var me = await fixture.CreateUserAsync();
        var other = await fixture.CreateUserAsync();
        var ids = new List<Guid>();
        for (var i = 0; i < 3; i++) ids.Add(await Service.CreateAsync(me, new CommunityInput($"Mine {i}", null)));
        var theirs = await Service.CreateAsync(other, new CommunityInput("Theirs", null));
        await AddMemberAsync(theirs, me, MemberRole.Member);

        var first = await Service.ListMineAsync(me, pageIndex: 0, pageSize: 2);
        var second = await Service.ListMineAsync(me, pageIndex: 1, pageSize: 2);

        first.Total.ShouldBe(4);
        first.Items.Count.ShouldBe(2);
        second.Items.Count.ShouldBe(2);
        var all = first.Items.Concat(second.Items).ToList();
        all.Select(c => c.Id).ShouldBe([.. ids, theirs], ignoreOrder: true);
        all.Single(c => c.Id == theirs).ShouldSatisfyAllConditions(
            c => c.Role.ShouldBe(MemberRole.Member),
            c => c.MemberCount.ShouldBe(2));
        all.Where(c => c.Id != theirs).ShouldAllBe(c => c.Role == MemberRole.Admin && c.MemberCount == 1);
        (await Service.ListMineAsync(other)).Items.ShouldHaveSingleItem().Id.ShouldBe(theirs);
    }

    [Fact]
    public async Task A_member_sees_the_home_with_description_member_count_and_role()
    {
        var admin = await fixture.CreateUserAsync();
        var member = await fixture.CreateUserAsync();
        var id = await Service.CreateAsync(admin, new CommunityInput("Home test", "About us"));
        await AddMemberAsync(id, member, MemberRole.Member);

        var home = await Service.GetHomeAsync(member, id);

        home.Name.ShouldBe("Home test");
        home.Description.ShouldBe("About us");
        home.MemberCount.ShouldBe(2);
        home.MyRole.ShouldBe(MemberRole.Member);
        home.IsAdmin.ShouldBeFalse();
        (await Service.GetHomeAsync(admin, id)).IsAdmin.ShouldBeTrue();
    }

    [Fact]
    public async Task The_member_count_on_every_page_is_exact_at_ten_thousand_and_leaves_out_those_who_left()
    {
        var ct = TestContext.Current.CancellationToken;
        var admin = await fixture.CreateUserAsync();
        var (big, small) = (await Service.CreateAsync(admin, new CommunityInput("Big", null), ct), await Service.CreateAsync(admin, new CommunityInput("Small", null), ct));
        var left = await fixture.CreateUserAsync();
        await AddMemberAsync(small, left, MemberRole.Member);
        await using (var db = await fixture.NewContextAsync())
        {
            await db.Memberships.Where(m => m.CommunityId == small && m.UserId == left)
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.DeletedAt, fixture.Clock.GetUtcNow().UtcDateTime), ct);
            // The admin and 10,005 more, inserted in one statement: no page counts them, the database keeps the count.
            var prefix = "cap" + Guid.NewGuid().ToString("N")[..8];
            const int more = 10_005;
            await db.Database.ExecuteSqlAsync($"""
                INSERT INTO asp_net_users (id, user_name, normalized_user_name, email, normalized_email, email_confirmed, display_name,
                    created_at, updated_at, phone_number_confirmed, two_factor_enabled, lockout_enabled, access_failed_count)
                SELECT {prefix} || n, {prefix} || n, upper({prefix} || n), {prefix} || n || '@example.test', upper({prefix} || n || '@example.test'),
                    true, 'Member ' || n, now(), now(), false, false, true, 0
                FROM generate_series(1, {more}) n
                """, ct);
            await db.Database.ExecuteSqlAsync($"""
                INSERT INTO memberships (id, community_id, user_id, role, trust_score, admin_grant, created_at, updated_at)
                SELECT gen_random_uuid(), {big}, {prefix} || n, 'Member', 0, 0, now(), now() FROM generate_series(1, {more}) n
                """, ct);
        }

        (await Service.GetHomeAsync(admin, big, ct)).MemberCount.ShouldBe(10_006, "the admin and 10,005 members");
        (await Service.GetHomeAsync(admin, small, ct)).MemberCount.ShouldBe(1, "the member who left is not counted");
        var mine = await Service.ListMineAsync(admin, ct: ct);
        mine.Items.Single(c => c.Id == big).MemberCount.ShouldBe(10_006);
        mine.Items.Single(c => c.Id == small).MemberCount.ShouldBe(1);
    }

    [Fact]
    public async Task The_home_reads_the_same_through_its_plain_statement_as_through_ef_core_and_refuses_the_same()
    {
        var ct = TestContext.Current.CancellationToken;
        var admin = await fixture.CreateUserAsync();
        var titled = await Service.CreateAsync(admin, new CommunityInput("Frame", "Described"), ct);
        var untitled = await Service.CreateAsync(admin, new CommunityInput("Bare", null), ct);
        var (member, left, outsider) = (await fixture.CreateUserAsync(), await fixture.CreateUserAsync(), await fixture.CreateUserAsync());
        await AddMemberAsync(titled, member, MemberRole.Member);
        await AddMemberAsync(titled, left, MemberRole.Member);
        await AddMemberAsync(untitled, member, MemberRole.Member);
        await fixture.SetScoreAsync(titled, member, 12);
        await fixture.Get<MemberService>().LeaveAsync(left, titled, ct);
        var deleted = await Service.CreateAsync(admin, new CommunityInput("Gone", null), ct);
        await Service.DeleteAsync(admin, deleted, ct);
        await using (var db = await fixture.NewContextAsync())
        {
            // No level at or below anyone's score: no title.
            await db.TrustLevels.Where(l => l.CommunityId == untitled).ExecuteDeleteAsync(ct);
        }

        foreach (var (user, community) in new[] { (admin, titled), (member, titled), (member, untitled), (admin, untitled) })
        {
            var plain = await Service.GetHomeAsync(user, community, plainSql: true, ct);
            plain.ShouldBe(await Service.GetHomeAsync(user, community, plainSql: false, ct));
        }
        var home = await Service.GetHomeAsync(member, titled, plainSql: true, ct);
        (home.Name, home.Description, home.MemberCount, home.MyRole, home.MyTrustScore, home.MyTitle).ShouldBe(("Frame", "Described", 2, MemberRole.Member, 12, "Stable"));
        (await Service.GetHomeAsync(member, untitled, plainSql: true, ct)).MyTitle.ShouldBeNull();

        foreach (var (user, community) in new[] { (outsider, titled), (left, titled), (admin, deleted), (admin, Guid.NewGuid()) })
        {
            var plain = await Refusals.Refused(() => Service.GetHomeAsync(user, community, plainSql: true, ct));
            var ef = await Refusals.Refused(() => Service.GetHomeAsync(user, community, plainSql: false, ct));
            (plain.GetType(), plain.Message).ShouldBe((ef.GetType(), ef.Message));
        }
    }

    [Fact]
    public async Task A_non_member_is_told_they_are_not_a_member_and_gets_no_data()
    {
        var admin = await fixture.CreateUserAsync();
        var outsider = await fixture.CreateUserAsync();
        var id = await Service.CreateAsync(admin, new CommunityInput("Private", "Secret plans"));

        var ex = await Should.ThrowAsync<ForbiddenException>(() => Service.GetHomeAsync(outsider, id));

        ex.Message.ShouldBe("You are not a member of this community.");
        ex.Message.ShouldNotContain("Private");
        await Should.ThrowAsync<NotFoundException>(() => Service.GetHomeAsync(outsider, Guid.NewGuid()));
    }

    [Fact]
    public async Task An_admin_edits_name_and_description()
    {
        var admin = await fixture.CreateUserAsync();
        var id = await Service.CreateAsync(admin, new CommunityInput("Before", null));

        await Service.UpdateAsync(admin, id, new CommunityInput("After", "Now with a description"));

        var home = await Service.GetHomeAsync(admin, id);
        home.Name.ShouldBe("After");
        home.Description.ShouldBe("Now with a description");
    }

    [Fact]
    public async Task Edits_by_a_plain_member_or_an_outsider_or_with_bad_input_are_refused_and_change_nothing()
    {
        var admin = await fixture.CreateUserAsync();
        var member = await fixture.CreateUserAsync();
        var outsider = await fixture.CreateUserAsync();
        var id = await Service.CreateAsync(admin, new CommunityInput("Stable name", "Stable description"));
        await AddMemberAsync(id, member, MemberRole.Member);

        await Should.ThrowAsync<ForbiddenException>(() => Service.UpdateAsync(member, id, new CommunityInput("Hijacked", null)));
        await Should.ThrowAsync<ForbiddenException>(() => Service.UpdateAsync(outsider, id, new CommunityInput("Hijacked", null)));
        await Should.ThrowAsync<ValidationFailedException>(() => Service.UpdateAsync(admin, id, new CommunityInput("", null)));
        await Should.ThrowAsync<ForbiddenException>(() => Service.DeleteAsync(member, id));

        var home = await Service.GetHomeAsync(admin, id);
        home.Name.ShouldBe("Stable name");
        home.Description.ShouldBe("Stable description");
    }

    [Fact]
    public async Task A_soft_deleted_community_disappears_for_members_but_stays_in_the_database()
    {
        var admin = await fixture.CreateUserAsync();
        var created = DateTime.UtcNow.AddHours(-2);
        var deleted = created.AddHours(1);
        Guid id;
        try
        {
            fixture.Clock.Set(created);
            id = await Service.CreateAsync(admin, new CommunityInput("Short-lived", null));
            fixture.Clock.Set(deleted);
            await Service.DeleteAsync(admin, id);
        }
        finally
        {
            fixture.Clock.Reset();
        }

        (await Service.ListMineAsync(admin)).Items.ShouldNotContain(c => c.Id == id);
        (await Should.ThrowAsync<NotFoundException>(() => Service.GetHomeAsync(admin, id))).Message.ShouldBe("This community does not exist or was deleted.");
        await using var db = await fixture.NewContextAsync();
        var row = await db.Communities.IgnoreQueryFilters().SingleAsync(c => c.Id == id);
        row.ShouldSatisfyAllConditions(
            c => c.Name.ShouldBe("Short-lived"),
            c => c.CreatedAt.ShouldBe(created, TimeSpan.FromMilliseconds(1)),
            c => c.DeletedAt.ShouldNotBeNull().ShouldBe(deleted, TimeSpan.FromMilliseconds(1)),
            c => c.UpdatedAt.ShouldBe(deleted, TimeSpan.FromMilliseconds(1)));
        // The membership row stays too (only hidden with its community), and the deletion is in the audit log.
        (await db.Memberships.IgnoreQueryFilters().CountAsync(m => m.CommunityId == id && m.UserId == admin && m.DeletedAt == null)).ShouldBe(1);
        var audit = await db.AuditLog.SingleAsync(a => a.CommunityId == id && a.Action == CommunityApp.Features.Audit.AuditAction.CommunityDeleted);
        audit.ActorId.ShouldBe(admin);
        audit.Details.ShouldBe("""{"name":"Short-lived"}""");
    }

    [Fact]
    public async Task Parallel_creations_by_one_user_each_get_exactly_one_admin_membership()
    {
        var creator = await fixture.CreateUserAsync();

        var count = CommunityService.MaxCreatedPerDay;
        var ids = await Task.WhenAll(Enumerable.Range(0, count).Select(i => Service.CreateAsync(creator, new CommunityInput($"Parallel {i}", null))));

        ids.Distinct().Count().ShouldBe(count);
        await using var db = await fixture.NewContextAsync();
        (await db.Memberships.CountAsync(m => m.UserId == creator && m.Role == MemberRole.Admin)).ShouldBe(count);
        (await db.TrustLevels.CountAsync(l => ids.Contains(l.CommunityId))).ShouldBe(3 * count);
    }

    [Fact]
    public async Task The_database_refuses_a_second_live_membership_for_the_same_user()
    {
        var admin = await fixture.CreateUserAsync();
        var id = await Service.CreateAsync(admin, new CommunityInput("Unique members", null));

        await Should.ThrowAsync<DbUpdateException>(() => AddMemberAsync(id, admin, MemberRole.Member));
    }

    private async Task AddMemberAsync(Guid communityId, string userId, MemberRole role)
    {
        await using var db = await fixture.NewContextAsync();
        db.Memberships.Add(new Membership { CommunityId = communityId, UserId = userId, Role = role });
        await db.SaveChangesAsync();
    }
}
