using Microsoft.EntityFrameworkCore;
using CommunityApp.Features.Audit;
using CommunityApp.Features.Communities;
using CommunityApp.Features.Invites;
using CommunityApp.Features.Members;
using CommunityApp.Features.Profile;
using CommunityApp.Features.Settings;
using CommunityApp.Features.Trust;
using CommunityApp.Features.Wealth;
using CommunityApp.Tests.Infrastructure;
using static CommunityApp.Tests.Features.Fuzz.Fuzz;

namespace CommunityApp.Tests.Features.Fuzz;

/// <summary>The defects the fuzz properties found, each kept as a plain case: a field message, nothing saved.</summary>
public sealed class FuzzRegressionTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    private T Get<T>() where T : notnull => fixture.Get<T>();

    private async Task<ValidationFailedException> RefusedAsync(Func<Task> call, string field)
    {
        var before = await DatabaseWritesAsync(fixture);
        var ex = await Should.ThrowAsync<ValidationFailedException>(call);
        ex.Errors.Keys.ShouldBe([field]);
        ex.Errors[field].ShouldNotBeNullOrWhiteSpace();
        (await DatabaseWritesAsync(fixture)).ShouldBe(before);
        return ex;
    }

    [Fact]
    public async Task The_write_counter_sees_inserts_updates_and_deletes_and_not_a_rolled_back_write()
    {
        var start = await DatabaseWritesAsync(fixture);
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var afterInsert = await DatabaseWritesAsync(fixture);
        afterInsert.ShouldBeGreaterThan(start);
        await Get<CommunityService>().UpdateAsync(admin, communityId, new CommunityInput("Renamed club", "Now with a description"));
        var afterUpdate = await DatabaseWritesAsync(fixture);
        afterUpdate.ShouldBeGreaterThan(afterInsert);

        await using (var db = await fixture.NewContextAsync())
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            await db.Database.ExecuteSqlRawAsync("DELETE FROM memberships WHERE community_id = {0}", communityId);
            await transaction.RollbackAsync();
        }
        (await DatabaseWritesAsync(fixture)).ShouldBe(afterUpdate);

        await using (var db = await fixture.NewContextAsync())
            await db.Database.ExecuteSqlRawAsync("DELETE FROM memberships WHERE community_id = {0}", communityId);
        (await DatabaseWritesAsync(fixture)).ShouldBeGreaterThan(afterUpdate);
    }

    // Cases in code, not [InlineData]: xUnit's serialisation of theory data would turn a lone surrogate into U+FFFD.
    [Fact]
    public async Task Community_text_that_cannot_be_stored_is_refused_with_a_field_message()
    {
        (string Name, string? Description, string Field)[] cases =
        [
            ("Half \ud800 a character", null, "Name"), ("Noncharacter \ufffe", null, "Name"),
            ("Garden club", "Half \udc00 a character", "Description"), ("Garden club", "A NUL \0 inside", "Description"),
        ];
        var actor = await fixture.CreateUserAsync();
        foreach (var (name, description, field) in cases)
            await RefusedAsync(() => Get<CommunityService>().CreateAsync(actor, new CommunityInput(name, description)), field);
    }

    [Fact]
    public async Task Profile_text_that_cannot_be_stored_is_refused_with_a_field_message()
    {
        var free = "free" + Guid.NewGuid().ToString("N")[..8];
        (string DisplayName, string? UserName, string? Bio, string Field)[] cases =
        [
            ("Anna \ud83d", free, null, "DisplayName"), ("Anna", null, null, "UserName"), ("Anna", "name\udd4c", null, "UserName"),
            ("Anna", free, "Bio with \0", "Bio"), ("Anna", free, "Bio with \udfff", "Bio"),
        ];
        var userId = await fixture.CreateUserAsync();
        foreach (var (displayName, userName, bio, field) in cases)
            await RefusedAsync(() => Get<ProfileService>().UpdateAsync(userId, new ProfileInput(displayName, userName!, bio)), field);
    }

    [Fact]
    public async Task Invite_text_that_cannot_be_stored_is_refused_and_a_broken_secret_is_not_found()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var now = fixture.Clock.GetUtcNow().UtcDateTime;
        await RefusedAsync(() => Get<InviteService>().CreateLinkAsync(admin, communityId, new LinkInviteInput("Link \0", MemberRole.Member, now.AddDays(1), null)), "title");
        await RefusedAsync(() => Get<InviteService>().CreateDirectAsync(admin, communityId, new DirectInviteInput("anna\ud800", MemberRole.Member)), "user");
        await RefusedAsync(() => Get<InviteService>().CreateDirectAsync(admin, communityId, new DirectInviteInput("anna\0@example.test", MemberRole.Member)), "user");
        var visitor = await fixture.CreateUserAsync();
        await Should.ThrowAsync<NotFoundException>(() => Get<InviteService>().GetLinkAsync("secret\0", visitor));
        await Should.ThrowAsync<NotFoundException>(() => Get<InviteService>().RedeemLinkAsync(visitor, "\udc00secret"));
    }

    [Fact]
    public async Task Searches_that_no_query_can_carry_are_refused_and_huge_page_indexes_give_empty_pages()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        await RefusedAsync(() => Get<MemberService>().ListAsync(admin, communityId, new MemberQuery("an\0na")), "search");
        await RefusedAsync(() => Get<TrustViewService>().NetworkAsync(admin, communityId, "\ud800", 0, 20), "search");
        await RefusedAsync(() => Get<WealthQueries>().SearchAsync(admin, communityId, new ShareQuery("apples\0")), "search");
        await RefusedAsync(() => Get<AuditService>().ListAsync(admin, communityId, new AuditFilter(ActorId: "\0")), "actorId");

        (await Get<MemberService>().ListAsync(admin, communityId, new MemberQuery(PageIndex: int.MaxValue, PageSize: 100))).Items.ShouldBeEmpty();
        (await Get<CommunityService>().ListMineAsync(admin, int.MaxValue, 20)).Items.ShouldBeEmpty();
        (await Get<InviteService>().ListAsync(admin, communityId, int.MaxValue, 20)).Items.ShouldBeEmpty();
        (await Get<AuditService>().ListAsync(admin, communityId, new AuditFilter(PageIndex: int.MaxValue))).Items.ShouldBeEmpty();
        (await Get<TrustViewService>().NetworkAsync(admin, communityId, null, int.MaxValue, 20)).Items.ShouldBeEmpty();
        (await Get<WealthQueries>().SearchAsync(admin, communityId, new ShareQuery(PageIndex: int.MaxValue))).Items.ShouldBeEmpty();
        (await Get<WealthQueries>().MySharesAsync(admin, communityId, int.MaxValue, 20)).Items.ShouldBeEmpty();
        (await Get<WealthQueries>().RequestsAsync(admin, communityId, true, null, int.MaxValue, 20)).Page.Items.ShouldBeEmpty();
    }

    [Fact]
    public async Task Trust_level_names_follow_the_name_rules()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        foreach (var name in new[] { "\u202a\u202c", "Trusted\u200b", "Half \ud800", "Tab\there" })
        {
            var ex = await RefusedAsync(() => Get<SettingsService>().AddLevelAsync(admin, communityId, name, 4242), "name");
            ex.Errors["name"].ShouldBe(CommunityApp.Data.Names.HiddenCharactersMessage);
        }
    }

    [Fact]
    public async Task A_trust_level_name_is_stored_composed()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var id = await Get<SettingsService>().AddLevelAsync(admin, communityId, " Ame\u0301lie ", 4343);
        await using var db = await fixture.NewContextAsync();
        (await db.TrustLevels.Where(l => l.Id == id).Select(l => l.Name).SingleAsync()).ShouldBe("Am\u00e9lie");
    }

    [Fact]
    public async Task Wealth_kinds_outside_the_enum_and_text_that_cannot_be_stored_are_refused()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var owner = await fixture.AddMemberAsync(communityId);
        var requester = await fixture.AddMemberAsync(communityId, score: 50);
        await RefusedAsync(() => Get<ShareService>().CreateAsync(owner, communityId, new ShareInput("Apples", null, (WealthKind)99, 3)), "kind");
        await RefusedAsync(() => Get<ShareService>().CreateAsync(owner, communityId, new ShareInput("Apples\0", null, WealthKind.Object, 3)), "title");
        await RefusedAsync(() => Get<ShareService>().CreateAsync(owner, communityId, new ShareInput("Apples", "Sweet \ud800", WealthKind.Object, 3)), "description");
        await RefusedAsync(() => Get<CatalogService>().AddItemAsync(admin, communityId, "Ladder", (WealthKind)(-1), null, null), "kind");
        await RefusedAsync(() => Get<CatalogService>().AddItemAsync(admin, communityId, "Ladder\u202e", WealthKind.Object, null, null), "name");
        await RefusedAsync(() => Get<CatalogService>().AddCategoryAsync(admin, communityId, "Tools\0", null), "name");

        var shareId = await Get<ShareService>().CreateAsync(owner, communityId, new ShareInput("Apples", null, WealthKind.Object, 3));
        await RefusedAsync(() => Get<ShareService>().RequestAsync(requester, shareId, 1, "Please\0"), "message");
        await RefusedAsync(() => Get<ShareService>().CommentAsync(requester, shareId, "Nice \udc00"), "body");
        var requestId = await Get<ShareService>().RequestAsync(requester, shareId, 1, "Please");
        await RefusedAsync(() => Get<ShareService>().PostMessageAsync(owner, requestId, "When?\0"), "body");
    }
}
