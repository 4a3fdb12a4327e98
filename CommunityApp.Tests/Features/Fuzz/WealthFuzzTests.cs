using FsCheck;
using FsCheck.Fluent;
using Microsoft.EntityFrameworkCore;
using CommunityApp.Features.Wealth;
using CommunityApp.Tests.Infrastructure;
using static CommunityApp.Tests.Features.Fuzz.Fuzz;

namespace CommunityApp.Tests.Features.Fuzz;

/// <summary>
/// Property-based fuzzing of shares, requests, messages, comments, the catalogue and the wealth lists (see
/// <see cref="Hostile"/>): accepted input is stored by the rules, refused input changes no row, and nothing but the
/// app's refusals ever escapes.
/// </summary>
public sealed class WealthFuzzTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    private const int Cases = 100;

    private T Get<T>() where T : notnull => fixture.Get<T>();

    private DateTime Now => fixture.Clock.GetUtcNow().UtcDateTime;

    private static readonly string[] ShareFields = ["title", "description", "kind", "units", "maxUnitsPerMember", "minTrust", "expiresAt", "itemId", "categoryId"];

    private Gen<ShareInput> Shares(Guid[] items, Guid[] categories) =>
        Hostile.All(
            Hostile.All(Hostile.Strings(Share.TitleMaxLength), Hostile.Strings(Share.DescriptionMaxLength), Hostile.Enum<WealthKind>()),
            Hostile.All(Hostile.Ints(1, Share.MaxUnits), Hostile.NullableInts(1), Hostile.NullableInts(0)),
            Hostile.All(Hostile.NullableDates(() => Now, Share.MaxExpiryDays), Hostile.Guids(items), Hostile.Guids(categories)))
            .Select(t => Make(t.Item1, t.Item2, t.Item3));

    private static ShareInput Make((string? Title, string? Description, WealthKind Kind) a, (int Units, int? Max, int? MinTrust) b, (DateTime? Expires, Guid? Item, Guid? Category) c) =>
        new ShareInput(a.Item1!, a.Item2, a.Item3, b.Item1, b.Item2, c.Item1, b.Item3, c.Item2, c.Item3);

    private async Task<(Guid[] Items, Guid[] Categories)> CatalogueAsync(Guid communityId, string admin)
    {
        var item = await Get<CatalogService>().AddItemAsync(admin, communityId, "Ladder " + Guid.NewGuid().ToString("N")[..6], WealthKind.Object, null, 3);
        await using var db = await fixture.NewContextAsync();
        return ([item], await db.ItemCategories.Where(c => c.CommunityId == communityId).Select(c => c.Id).Take(3).ToArrayAsync());
    }

    private async Task ShareShouldBeStoredAsync(Guid shareId)
    {
        await using var db = await fixture.NewContextAsync();
        var share = await db.Shares.AsNoTracking().SingleAsync(s => s.Id == shareId);
        ShouldBeStoredText(share.Title, Share.TitleMaxLength);
        share.Title.ShouldNotBeEmpty();
        ShouldBeStoredText(share.Description, Share.DescriptionMaxLength);
        Enum.IsDefined(share.Kind).ShouldBeTrue($"stored kind {share.Kind}");
        share.UnitsOffered.ShouldBeInRange(1, Share.MaxUnits);
        if (share.MaxUnitsPerMember is { } max) max.ShouldBeGreaterThanOrEqualTo(1);
        if (share.MinTrust is { } minTrust) minTrust.ShouldBeGreaterThanOrEqualTo(0);
        if (share.ExpiresAt is { } expires)
        {
            expires.Kind.ShouldBe(DateTimeKind.Utc);
            expires.ShouldBeGreaterThan(Now.AddSeconds(-5));
            expires.ShouldBeLessThanOrEqualTo(Now.AddDays(Share.MaxExpiryDays).AddSeconds(5));
        }
    }

    [Fact]
    public async Task Creating_and_editing_shares_with_hostile_input()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var owner = await fixture.AddMemberAsync(communityId);
        var (items, categories) = await CatalogueAsync(communityId, admin);
        var edited = await Get<ShareService>().CreateAsync(owner, communityId, new ShareInput("Edited share", null, WealthKind.Object, 5));
        await CheckAsync("shares.create-update", Gen.Zip(Shares(items, categories), Gen.Elements(true, false)), Cases, async input =>
        {
            var (share, create) = input;
            var id = edited;
            var refusal = await RefusedChangesNothingAsync(fixture, async () =>
            {
                if (create) id = await Get<ShareService>().CreateAsync(owner, communityId, share);
                else await Get<ShareService>().UpdateAsync(owner, edited, share);
            }, ShareFields);
            if (refusal is null) await ShareShouldBeStoredAsync(id);
        });
    }

    [Fact]
    public async Task Requests_messages_and_comments_with_hostile_units_and_text()
    {
        var (communityId, _) = await fixture.CreateCommunityAsync();
        var owner = await fixture.AddMemberAsync(communityId);
        var requester = await fixture.AddMemberAsync(communityId, score: 50);
        var shareId = await Get<ShareService>().CreateAsync(owner, communityId, new ShareInput("Many apples", null, WealthKind.Object, Share.MaxUnits));
        var thread = await Get<ShareService>().RequestAsync(requester, shareId, 1, "first");
        var gen = Gen.Zip(Hostile.All(Hostile.Ints(1, Share.MaxUnits), Hostile.Strings(ShareRequestMax), Hostile.Strings(2000)), Hostile.Strings(ShareComment.BodyMaxLength));
        await CheckAsync("shares.request-talk", gen, 60, async input =>
        {
            var ((units, message, body), comment) = input;
            Guid requestId = default;
            if (await RefusedChangesNothingAsync(fixture, async () => requestId = await Get<ShareService>().RequestAsync(requester, shareId, units, message), "units", "message") is null)
            {
                await using var db = await fixture.NewContextAsync();
                var request = await db.ShareRequests.AsNoTracking().SingleAsync(r => r.Id == requestId);
                request.Units.ShouldBeInRange(1, Share.MaxUnits);
                ShouldBeStoredText(request.Message, ShareRequestMax);
            }
            await RefusedChangesNothingAsync(fixture, () => Get<ShareService>().PostMessageAsync(owner, thread, body!), "body");
            await RefusedChangesNothingAsync(fixture, () => Get<ShareService>().CommentAsync(requester, shareId, comment!), "body");
            await using var check = await fixture.NewContextAsync();
            foreach (var text in await check.RequestMessages.Where(m => m.RequestId == thread).Select(m => m.Body).ToListAsync()) ShouldBeStoredText(text, 2000);
            foreach (var text in await check.ShareComments.Where(c => c.ShareId == shareId).Select(c => c.Body).ToListAsync()) ShouldBeStoredText(text, ShareComment.BodyMaxLength);
        });
    }

    private const int ShareRequestMax = ShareRequest.MessageMaxLength;

    [Fact]
    public async Task Catalogue_names_kinds_and_values_with_hostile_input()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var (_, categories) = await CatalogueAsync(communityId, admin);
        var gen = Gen.Zip(Hostile.All(Hostile.Strings(100), Hostile.Enum<WealthKind>(), Hostile.NullableInts(0)),
            Hostile.All(Hostile.Guids(categories), Gen.Elements(true, false), Hostile.Strings(100)));
        await CheckAsync("catalogue.add", gen, Cases, async input =>
        {
            var ((name, kind, value), (category, asCategory, nameEs)) = input;
            var refusal = await RefusedChangesNothingAsync(fixture, () => asCategory
                ? Get<CatalogService>().AddCategoryAsync(admin, communityId, name!, category, nameEs)
                : Get<CatalogService>().AddItemAsync(admin, communityId, name!, kind, category, value, nameEs), "name", "nameEs", "kind", "valuePoints", "categoryId", "parentId");
            if (refusal is not null) return;
            await using var db = await fixture.NewContextAsync();
            foreach (var item in await db.Items.AsNoTracking().Where(i => i.CommunityId == communityId).ToListAsync())
            {
                ShouldBeStoredText(item.Name, 100, name: true);
                ShouldBeStoredText(item.NameEs, 100, name: true);
                item.NormalizedName.ShouldBe(item.Name.ToUpperInvariant());
                item.NormalizedNameEs.ShouldBe(item.NameEs?.ToUpperInvariant());
                Enum.IsDefined(item.Kind).ShouldBeTrue($"stored kind {item.Kind}");
                if (item.ValuePoints is { } points) points.ShouldBeGreaterThanOrEqualTo(0);
            }
            foreach (var stored in await db.ItemCategories.Where(c => c.CommunityId == communityId).Select(c => new { c.Name, c.NameEs }).ToListAsync())
            {
                ShouldBeStoredText(stored.Name, 100, name: true);
                ShouldBeStoredText(stored.NameEs, 100, name: true);
            }
        });
    }

    [Fact]
    public async Task Searching_and_paging_wealth_with_hostile_arguments()
    {
        var (communityId, _) = await fixture.CreateCommunityAsync();
        var owner = await fixture.AddMemberAsync(communityId, score: 10);
        await Get<ShareService>().CreateAsync(owner, communityId, new ShareInput("Apple harvest", "Sweet apples", WealthKind.Object, 4));
        await Get<ShareService>().CreateAsync(owner, communityId, new ShareInput("Bike repair 100%", null, WealthKind.Service, 1));
        var query = Gen.Zip(
            Hostile.All(Hostile.Strings(50), Hostile.Enum<ShareSort>(), Gen.Frequency((1, Gen.Constant<ShareStatus?>(null)), (3, Hostile.Enum<ShareStatus>().Select(s => (ShareStatus?)s)))),
            Hostile.All(Hostile.Ints(0, 1, 20, 100), Hostile.Ints(0, 1, 20, 100), Gen.Frequency((1, Gen.Constant<WealthKind?>(null)), (1, Hostile.Enum<WealthKind>().Select(k => (WealthKind?)k)))),
            (a, b) => (Query: new ShareQuery(a.Item1, null, b.Item3, a.Item3, OnlyRequestable: b.Item1 % 2 == 0, ExpiringSoon: b.Item2 % 3 == 0, a.Item2, b.Item1, b.Item2),
                Status: Gen.Elements<RequestStatus?>(null, RequestStatus.Pending, (RequestStatus)99)));
        var gen = query.SelectMany(q => q.Status.Select(s => (q.Query, Status: s)));
        await CheckAsync("wealth.lists", gen, 60, async input =>
        {
            var (q, status) = input;
            var size = Math.Clamp(q.PageSize, 1, WealthQueries.MaxPageSize);
            var before = await DatabaseWritesAsync(fixture);
            if (await AttemptAsync(async () => (await Get<WealthQueries>().SearchAsync(owner, communityId, q)).Items.Count.ShouldBeLessThanOrEqualTo(size), "search") is { } refusal)
                refusal.ShouldBeOfType<ValidationFailedException>();
            (await AttemptAsync(async () => (await Get<WealthQueries>().RequestsAsync(owner, communityId, q.PageIndex % 2 == 0, status, q.PageIndex, q.PageSize)).Page.Items.Count
                .ShouldBeLessThanOrEqualTo(size))).ShouldBeNull();
            (await AttemptAsync(async () => (await Get<WealthQueries>().MySharesAsync(owner, communityId, q.PageIndex, q.PageSize)).Items.Count
                .ShouldBeLessThanOrEqualTo(size))).ShouldBeNull();
            (await DatabaseWritesAsync(fixture)).ShouldBe(before, "a list changed rows");
        });
    }
}
