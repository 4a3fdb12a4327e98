using FsCheck.Fluent;
using Microsoft.EntityFrameworkCore;
using CommunityApp.Auth;
using CommunityApp.Data;
using CommunityApp.Features.Audit;
using CommunityApp.Features.Communities;
using CommunityApp.Features.Invites;
using CommunityApp.Features.Members;
using CommunityApp.Features.Notifications;
using CommunityApp.Features.Profile;
using CommunityApp.Features.Settings;
using CommunityApp.Features.Trust;
using CommunityApp.Tests.Infrastructure;
using static CommunityApp.Tests.Features.Fuzz.Fuzz;

namespace CommunityApp.Tests.Features.Fuzz;

/// <summary>
/// Property-based fuzzing of the community, profile, settings, invite and member services (see <see cref="Hostile"/>):
/// every generated input is either accepted and stored by the rules, or refused with the app's refusals only, with a
/// message per field, and a refused call changes no row.
/// </summary>
public sealed class CommunityFuzzTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    private const int Cases = 50;

    private T Get<T>() where T : notnull => fixture.Get<T>();

    private DateTime Now => fixture.Clock.GetUtcNow().UtcDateTime;

    [Fact]
    public async Task Creating_a_community_with_hostile_names_and_descriptions()
    {
        var gen = Gen.Zip(Hostile.Strings(Community.NameMaxLength), Hostile.Strings(Community.DescriptionMaxLength));
        await CheckAsync("community.create", gen, Cases, async input =>
        {
            var actor = await fixture.CreateUserAsync();
            Guid id = default;
            var refusal = await RefusedChangesNothingAsync(fixture,
                async () => id = await Get<CommunityService>().CreateAsync(actor, new CommunityInput(input.Item1!, input.Item2)), "Name", "Description");
            if (refusal is null) await CommunityShouldBeStoredAsync(id);
        });
    }

    [Fact]
    public async Task Editing_a_community_with_hostile_names_and_descriptions()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var gen = Gen.Zip(Hostile.Strings(Community.NameMaxLength), Hostile.Strings(Community.DescriptionMaxLength));
        await CheckAsync("community.update", gen, Cases, async input =>
        {
            var refusal = await RefusedChangesNothingAsync(fixture,
                () => Get<CommunityService>().UpdateAsync(admin, communityId, new CommunityInput(input.Item1!, input.Item2)), "Name", "Description");
            if (refusal is null) await CommunityShouldBeStoredAsync(communityId);
        });
    }

    private async Task CommunityShouldBeStoredAsync(Guid id)
    {
        await using var db = await fixture.NewContextAsync();
        var community = await db.Communities.AsNoTracking().SingleAsync(c => c.Id == id);
        ShouldBeStoredText(community.Name, Community.NameMaxLength, name: true);
        ShouldBeStoredText(community.Description, Community.DescriptionMaxLength);
        if (community.Description is not null) community.Description.ShouldNotBeEmpty();
    }

    [Fact]
    public async Task Editing_a_profile_with_hostile_names_and_bios()
    {
        var userId = await fixture.CreateUserAsync();
        var userNames = Gen.Frequency(
            (2, Hostile.Strings(3, 30)),
            (1, Gen.Elements("valid.name", " padded_name ", "ab", "abc", new string('n', 30), new string('n', 31), "With Space", "ünïcode", "name\n", "a-b_c.d")
                .Select(s => (string?)s)));
        var gen = Hostile.All(Hostile.Strings(ProfileRules.DisplayNameMax), userNames, Hostile.Strings(ProfileRules.BioMax));
        await CheckAsync("profile.update", gen, Cases, async input =>
        {
            var refusal = await RefusedChangesNothingAsync(fixture,
                () => Get<ProfileService>().UpdateAsync(userId, new ProfileInput(input.Item1!, input.Item2!, input.Item3)), "DisplayName", "UserName", "Bio");
            if (refusal is not null) return;
            await using var db = await fixture.NewContextAsync();
            var user = await db.Users.AsNoTracking().SingleAsync(u => u.Id == userId);
            ShouldBeStoredText(user.DisplayName, ProfileRules.DisplayNameMax, name: true);
            user.UserName!.ShouldMatch(ProfileRules.UserNamePattern);
            user.NormalizedUserName.ShouldBe(user.UserName!.ToUpperInvariant());
            ShouldBeStoredText(user.Bio, ProfileRules.BioMax);
        });
    }

    [Fact]
    public async Task Saving_settings_with_hostile_thresholds_and_numbers()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var keys = PermissionCatalog.All.Select(p => p.SettingName).ToArray();
        var thresholdText = Gen.Frequency(
            (3, Hostile.Strings(7)),
            (2, Gen.Elements("0", "15", " 15 ", "+15", "-0", "-1", "1000000", "1000001", "1e3", "0x10", "15.0", "15.5", "1,000", "79228162514264337593543950336",
                "Trusted", "trusted", " TRUSTED ", "New", "Nonexistent level").Select(s => (string?)s)));
        var thresholds = Gen.Choose(0, 3).SelectMany(n => Gen.ArrayOf(Gen.Zip(Gen.Elements(keys), thresholdText), n))
            .Select(pairs => pairs.Length == 0 ? null : (IReadOnlyDictionary<string, string>)pairs.DistinctBy(p => p.Item1).ToDictionary(p => p.Item1, p => p.Item2!));
        var numbers = Gen.Zip(
            Gen.Zip(Hostile.NullableInts(SettingsLimits.MinFullMonths, SettingsLimits.MaxFullMonths), Hostile.NullableInts(SettingsLimits.MaxExpireMonths, 12)),
            Gen.Zip(Hostile.NullableInts(SettingsLimits.MinDays, SettingsLimits.MaxDays), Hostile.NullableInts(SettingsLimits.MinRefreshSeconds, SettingsLimits.MaxRefreshSeconds)));
        var gen = Hostile.All(thresholds, numbers, Gen.Elements<bool?>(null, true, false)).Select(t => new SettingsPatch
        {
            Thresholds = t.Item1,
            DecayFullMonths = t.Item2.Item1.Item1, DecayExpireMonths = t.Item2.Item1.Item2,
            NonContributionThresholdDays = t.Item2.Item2.Item1, DashboardRefreshInterval = t.Item2.Item2.Item2,
            DecayEnabled = t.Item3,
        });
        string[] fields = [.. keys, "decay.fullMonths", "decay.expireMonths", "analytics.nonContributionThresholdDays", "analytics.dashboardRefreshInterval"];
        await CheckAsync("settings.save", gen, Cases, async patch =>
        {
            var refusal = await RefusedChangesNothingAsync(fixture, () => Get<SettingsService>().SaveAsync(admin, communityId, patch), fields);
            if (refusal is not null) return;
            await using var db = await fixture.NewContextAsync();
            var community = await db.Communities.AsNoTracking().Include(c => c.TrustLevels).SingleAsync(c => c.Id == communityId);
            var settings = community.Settings;
            foreach (var threshold in settings.Thresholds.Values)
            {
                if (threshold.Type == ThresholdType.Number) threshold.Value.ShouldBeInRange(0, SettingsLimits.MaxScore);
                else community.TrustLevels.Select(l => l.Id).ShouldContain(threshold.LevelId!.Value);
            }
            settings.Decay.FullMonths.ShouldBeInRange(SettingsLimits.MinFullMonths, SettingsLimits.MaxFullMonths);
            settings.Decay.ExpireMonths.ShouldBeInRange(settings.Decay.FullMonths + 1, SettingsLimits.MaxExpireMonths);
            settings.Analytics.NonContributionThresholdDays.ShouldBeInRange(SettingsLimits.MinDays, SettingsLimits.MaxDays);
            settings.Analytics.DashboardRefreshInterval.ShouldBeInRange(SettingsLimits.MinRefreshSeconds, SettingsLimits.MaxRefreshSeconds);
        });
    }

    [Fact]
    public async Task Adding_and_editing_trust_levels_with_hostile_names_and_scores()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var levelId = await Get<SettingsService>().AddLevelAsync(admin, communityId, "Fuzzed", 777_777);
        var gen = Hostile.All(Hostile.Strings(TrustLevel.NameMaxLength), Hostile.Ints(0, SettingsLimits.MaxScore), Gen.Elements(true, false));
        await CheckAsync("settings.levels", gen, Cases, async input =>
        {
            var (name, minScore, add) = input;
            var refusal = await RefusedChangesNothingAsync(fixture, () => add
                ? Get<SettingsService>().AddLevelAsync(admin, communityId, name!, minScore)
                : Get<SettingsService>().UpdateLevelAsync(admin, communityId, levelId, name!, minScore), "name", "minScore");
            if (refusal is not null) return;
            await using var db = await fixture.NewContextAsync();
            foreach (var level in await db.TrustLevels.AsNoTracking().Where(l => l.CommunityId == communityId).ToListAsync())
            {
                ShouldBeStoredText(level.Name, TrustLevel.NameMaxLength, name: true);
                level.MinScore.ShouldBeInRange(0, SettingsLimits.MaxScore);
            }
        });
    }

    [Fact]
    public async Task Creating_invite_links_with_hostile_titles_dates_and_uses()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var gen = Gen.Zip(
            Gen.Zip(Hostile.Strings(Invite.TitleMaxLength), Hostile.Enum<MemberRole>()),
            Gen.Zip(Hostile.Dates(() => Now, Invite.MaxExpiryDays, Invite.MaxAdminLinkDays), Hostile.NullableInts(1, 10_000)));
        await CheckAsync("invites.link", gen, Cases, async input =>
        {
            var ((title, role), (expiresAt, maxUses)) = input;
            Guid id = default;
            var refusal = await RefusedChangesNothingAsync(fixture,
                async () => id = (await Get<InviteService>().CreateLinkAsync(admin, communityId, new LinkInviteInput(title!, role, expiresAt, maxUses))).Id,
                "title", "role", "expiresAt", "maxUses");
            if (refusal is not null) return;
            await using var db = await fixture.NewContextAsync();
            var invite = await db.Invites.AsNoTracking().SingleAsync(i => i.Id == id);
            ShouldBeStoredText(invite.Title, Invite.TitleMaxLength);
            invite.Title.ShouldNotBeNullOrEmpty();
            Enum.IsDefined(invite.Role).ShouldBeTrue();
            invite.ExpiresAt.ShouldBeGreaterThan(Now.AddSeconds(-5));
            invite.ExpiresAt.ShouldBeLessThanOrEqualTo(Now.AddDays(Invite.MaxExpiryDays).AddSeconds(5));
            if (invite.MaxUses is { } uses) uses.ShouldBeInRange(1, 10_000);
        });
    }

    [Fact]
    public async Task Direct_invites_and_link_secrets_with_hostile_names()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var someone = "invitee" + Guid.NewGuid().ToString("N")[..8];
        await fixture.CreateUserAsync(someone);
        var who = Gen.Frequency((4, Hostile.Strings(256)), (1, Gen.Elements(someone, someone.ToUpperInvariant(), $" {someone} ", $"{someone}@example.test", $"%{someone[2..]}", "%", "_%@%")
            .Select(s => (string?)s)));
        var gen = Gen.Zip(Gen.Zip(who, Hostile.Enum<MemberRole>()), Hostile.Strings(32, 64));
        await CheckAsync("invites.direct", gen, 60, async input =>
        {
            var ((user, role), secret) = input;
            var refusal = await RefusedChangesNothingAsync(fixture,
                () => Get<InviteService>().CreateDirectAsync(admin, communityId, new DirectInviteInput(user!, role)), "user", "role");
            if (refusal is null)
            {
                await using var db = await fixture.NewContextAsync();
                (await db.Invites.CountAsync(i => i.CommunityId == communityId && i.Kind == InviteKind.Direct && i.InvitedUser!.UserName == someone)).ShouldBe(1);
            }
            var visitor = await fixture.CreateUserAsync();
            (await RefusedChangesNothingAsync(fixture, () => Get<InviteService>().GetLinkAsync(secret!, visitor))).ShouldBeOfType<NotFoundException>();
            (await RefusedChangesNothingAsync(fixture, () => Get<InviteService>().RedeemLinkAsync(visitor, secret!))).ShouldBeOfType<NotFoundException>();
        });
    }

    [Fact]
    public async Task Member_roles_and_grants_with_hostile_values()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var member = await fixture.AddMemberAsync(communityId, score: 3);
        var gen = Hostile.All(Hostile.Enum<MemberRole>(), Hostile.Enum<FeatureRole>(), Hostile.Ints(0, SettingsLimits.MaxScore));
        await CheckAsync("members.roles", gen, 60, async input =>
        {
            var (role, featureRole, grant) = input;
            await RefusedChangesNothingAsync(fixture, () => Get<MemberService>().ChangeRoleAsync(admin, communityId, member, role), "role");
            await RefusedChangesNothingAsync(fixture, () => Get<MemberService>().GrantFeatureRoleAsync(admin, communityId, member, featureRole), "Role");
            await RefusedChangesNothingAsync(fixture, () => Get<MemberService>().RevokeFeatureRoleAsync(admin, communityId, member, featureRole), "Role");
            await RefusedChangesNothingAsync(fixture, () => Get<TrustService>().SetAdminGrantAsync(admin, communityId, member, grant), "amount");
            await using var db = await fixture.NewContextAsync();
            var membership = await db.Memberships.AsNoTracking().Include(m => m.FeatureRoles).SingleAsync(m => m.CommunityId == communityId && m.UserId == member);
            Enum.IsDefined(membership.Role).ShouldBeTrue();
            membership.FeatureRoles.ShouldAllBe(r => Enum.IsDefined(r.Role));
            membership.AdminGrant.ShouldBeInRange(0, SettingsLimits.MaxScore);
        });
    }

    [Fact]
    public async Task Searching_and_paging_lists_with_hostile_arguments()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var anna = await fixture.CreateUserAsync("anna_fuzz" + Guid.NewGuid().ToString("N")[..6]);
        await fixture.AddMemberAsync(communityId, userId: anna);
        for (var i = 0; i < 3; i++) await fixture.AddMemberAsync(communityId);
        await Get<InviteService>().CreateLinkAsync(admin, communityId, new LinkInviteInput("A link", MemberRole.Member, Now.AddDays(3), null));
        var paging = Gen.Zip(Hostile.Ints(0, 1, 20, 25, 100), Hostile.Ints(0, 1, 20, 25, 100));
        var search = Gen.Frequency((4, Hostile.Strings(50)), (1, Gen.Elements<string?>("anna", "ANNA", "nna_f", "Display", "%", "_", "\\")));
        var audit = Hostile.All(Hostile.NullableDates(() => Now, 1), Hostile.NullableDates(() => Now, 1), Gen.Frequency((3, Gen.Constant<AuditAction?>(null)), (1, Hostile.Enum<AuditAction>().Select(a => (AuditAction?)a))));
        var gen = Hostile.All(Gen.Zip(search, Hostile.Enum<MemberSort>()), paging, audit);
        await CheckAsync("lists.paging", gen, 60, async input =>
        {
            var ((text, sort), (pageIndex, pageSize), (from, to, action)) = input;
            var size = Math.Clamp(pageSize, 1, 100);
            var before = await DatabaseWritesAsync(fixture);
            foreach (var viewer in new[] { admin, anna })
            {
                if (await AttemptAsync(async () =>
                    {
                        var page = await Get<MemberService>().ListAsync(viewer, communityId, new MemberQuery(text, sort, pageIndex, pageSize));
                        page.Items.Count.ShouldBeLessThanOrEqualTo(size);
                        page.Total.ShouldBeInRange(0, 5);
                        var needle = text?.Trim() ?? "";
                        if (needle.Length > 0)
                            page.Items.ShouldAllBe(m => m.UserName.Contains(needle, StringComparison.OrdinalIgnoreCase)
                                || m.DisplayName.Contains(needle, StringComparison.OrdinalIgnoreCase) || (m.Email != null && m.Email.Contains(needle, StringComparison.OrdinalIgnoreCase)));
                    }, "search") is { } refusal) refusal.ShouldBeOfType<ValidationFailedException>();
                if (await AttemptAsync(async () =>
                    {
                        var page = await Get<TrustViewService>().NetworkAsync(viewer, communityId, text, pageIndex, pageSize);
                        page.Items.Count.ShouldBeLessThanOrEqualTo(size);
                    }, "search") is { } networkRefusal) networkRefusal.ShouldBeOfType<ValidationFailedException>();
            }
            (await AttemptAsync(async () => (await Get<CommunityService>().ListMineAsync(admin, pageIndex, pageSize)).Items.Count.ShouldBeLessThanOrEqualTo(size))).ShouldBeNull();
            (await AttemptAsync(async () => (await Get<InviteService>().ListAsync(admin, communityId, pageIndex, pageSize)).Items.Count.ShouldBeLessThanOrEqualTo(size))).ShouldBeNull();
            if (await AttemptAsync(async () => (await Get<AuditService>().ListAsync(admin, communityId, new AuditFilter(text, action, from, to, pageIndex, pageSize))).Items.Count
                    .ShouldBeLessThanOrEqualTo(size), "actorId") is { } auditRefusal) auditRefusal.ShouldBeOfType<ValidationFailedException>();
            (await AttemptAsync(async () => (await Get<NotificationService>().LatestAsync(anna, pageSize)).Count.ShouldBeLessThanOrEqualTo(100))).ShouldBeNull();
            (await DatabaseWritesAsync(fixture)).ShouldBe(before, "a list changed rows");
        });
    }
}
