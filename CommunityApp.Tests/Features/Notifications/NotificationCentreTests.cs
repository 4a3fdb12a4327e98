using Microsoft.EntityFrameworkCore;
using CommunityApp.Features.Forum;
using CommunityApp.Features.Members;
using CommunityApp.Features.Notifications;
using CommunityApp.Features.Polls;
using CommunityApp.Features.Trust;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Features.Notifications;

/// <summary>
/// The notification centre (docs/SPEC.md §14): filters, keyset pages, mark read and mark all read (of what the filter
/// shows), per-kind preferences honoured by the writer and the bulk paths, and links that no longer open saying why.
/// </summary>
public sealed class NotificationCentreTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    private static readonly DateTime Start = new(2030, 6, 1, 8, 0, 0, DateTimeKind.Utc);

    private NotificationService Service => fixture.Get<NotificationService>();

    private async Task<Guid> AddAsync(string userId, NotificationKind kind, DateTime at, Guid? communityId = null, bool read = false, string link = "/communities")
    {
        await using var db = await fixture.NewContextAsync();
        var n = new Notification { UserId = userId, Kind = kind, CommunityId = communityId, Actor = "A", Subject = "S", Link = link, CreatedAt = at, ReadAt = read ? at : null };
        db.Notifications.Add(n);
        await db.SaveChangesAsync();
        return n.Id;
    }

    private async Task<List<Notification>> NotificationsOfAsync(string userId)
    {
        await using var db = await fixture.NewContextAsync();
        return await db.Notifications.Where(n => n.UserId == userId).ToListAsync();
    }

    [Fact]
    public async Task Filters_by_type_community_and_unread_and_pages_newest_first_without_gaps_or_repeats()
    {
        var me = await fixture.CreateUserAsync();
        var (one, _) = await fixture.CreateCommunityAsync("One");
        var (two, _) = await fixture.CreateCommunityAsync("Two");
        var ids = new List<Guid>();
        // 45 notifications, several sharing a timestamp (the keyset's tie-break on id), alternating kind, community and read state.
        for (var i = 0; i < 45; i++)
        {
            ids.Add(await AddAsync(me, i % 3 == 0 ? NotificationKind.TrustReceived : NotificationKind.ForumReplied, Start.AddMinutes(i / 2),
                i % 2 == 0 ? one : two, read: i % 5 == 0));
        }
        await AddAsync(await fixture.CreateUserAsync(), NotificationKind.TrustReceived, Start);

        var seen = new List<NotificationRow>();
        NotificationCursor? cursor = null;
        var pages = 0;
        do
        {
            var page = await Service.ListAsync(me, new NotificationFilter(), cursor, 10);
            seen.AddRange(page.Items);
            cursor = page.Next;
            pages++;
        } while (cursor is not null);
        pages.ShouldBe(5);
        seen.Select(n => n.Id).ShouldBe(ids, ignoreOrder: true);
        seen.Select(n => n.Id).Distinct().Count().ShouldBe(45);
        seen.Select(n => n.CreatedAt).ShouldBeInOrder(SortDirection.Descending);

        var trust = await Service.ListAsync(me, new NotificationFilter(Kind: NotificationKind.TrustReceived), null, 100);
        trust.Items.Count.ShouldBe(15);
        trust.Items.ShouldAllBe(n => n.Kind == NotificationKind.TrustReceived);
        var inTwo = await Service.ListAsync(me, new NotificationFilter(CommunityId: two), null, 100);
        inTwo.Items.Count.ShouldBe(22);
        inTwo.Items.ShouldAllBe(n => n.CommunityId == two && n.CommunityName == "Two");
        var unread = await Service.ListAsync(me, new NotificationFilter(UnreadOnly: true), null, 100);
        unread.Items.Count.ShouldBe(36);
        unread.Items.ShouldAllBe(n => !n.IsRead);
        (await Service.CommunitiesAsync(me)).Select(c => c.Name).ShouldBe(["One", "Two"]);
    }

    [Fact]
    public async Task Mark_all_read_marks_what_the_filter_shows_and_the_bell_follows()
    {
        fixture.Clock.Set(new DateTimeOffset(Start.AddDays(1)));
        var me = await fixture.CreateUserAsync();
        var (one, _) = await fixture.CreateCommunityAsync("One");
        var trustInOne = await AddAsync(me, NotificationKind.TrustReceived, Start, one);
        var replyInOne = await AddAsync(me, NotificationKind.ForumReplied, Start, one);
        var trustElsewhere = await AddAsync(me, NotificationKind.TrustReceived, Start);

        (await Service.MarkAllReadAsync(me, new NotificationFilter(Kind: NotificationKind.TrustReceived, CommunityId: one))).ShouldBe(1);
        var rows = (await NotificationsOfAsync(me)).ToDictionary(n => n.Id);
        rows[trustInOne].ReadAt.ShouldNotBeNull();
        rows[replyInOne].ReadAt.ShouldBeNull();
        rows[trustElsewhere].ReadAt.ShouldBeNull();
        (await Service.UnreadCountAsync(me)).ShouldBe(2);

        (await Service.MarkAllReadAsync(me)).ShouldBe(2);
        (await Service.UnreadCountAsync(me)).ShouldBe(0);

        // Opening one marks it read; someone else's is not opened.
        var fresh = await AddAsync(me, NotificationKind.TrustRemoved, Start.AddHours(1));
        (await Service.OpenAsync(await fixture.CreateUserAsync(), fresh)).ShouldBeNull();
        (await Service.UnreadCountAsync(me)).ShouldBe(1);
        (await Service.OpenAsync(me, fresh)).ShouldNotBeNull().IsRead.ShouldBeTrue();
        (await Service.UnreadCountAsync(me)).ShouldBe(0);
    }

    [Fact]
    public async Task Off_writes_nothing_and_digest_marks_for_the_mail_through_the_writer_and_the_bulk_paths()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var giver = await fixture.AddMemberAsync(communityId, score: 50);
        var off = await fixture.AddMemberAsync(communityId);
        var digest = await fixture.AddMemberAsync(communityId);
        var plain = await fixture.AddMemberAsync(communityId);
        await Service.SavePreferencesAsync(off, new Dictionary<NotificationKind, NotificationDelivery>
        {
            [NotificationKind.TrustReceived] = NotificationDelivery.Off, [NotificationKind.PollCreated] = NotificationDelivery.Off,
        }, "en");
        await Service.SavePreferencesAsync(digest, new Dictionary<NotificationKind, NotificationDelivery>
        {
            [NotificationKind.TrustReceived] = NotificationDelivery.Digest, [NotificationKind.PollCreated] = NotificationDelivery.Digest,
        }, "es");
        (await Service.PreferencesAsync(off)).Single(p => p.Kind == NotificationKind.TrustReceived).Delivery.ShouldBe(NotificationDelivery.Off);
        (await Service.PreferencesAsync(off)).Single(p => p.Kind == NotificationKind.TrustRemoved).Delivery.ShouldBe(NotificationDelivery.InApp);
        (await Service.PreferencesAsync(off)).Select(p => p.Kind).ShouldBe(Enum.GetValues<NotificationKind>().OrderBy(k => (int)k));

        // The writer (one notification per action).
        foreach (var receiver in new[] { off, digest, plain }) await fixture.Get<TrustService>().AwardAsync(giver, communityId, receiver);
        // The poll's INSERT … SELECT (every member at once).
        await fixture.Get<PollService>().CreateAsync(admin, communityId, new PollInput("Paint the hall?", null, ["Yes", "No"], DurationHours: 48));

        (await NotificationsOfAsync(off)).ShouldBeEmpty();
        var toDigest = await NotificationsOfAsync(digest);
        toDigest.Select(n => n.Kind).ShouldBe([NotificationKind.TrustReceived, NotificationKind.PollCreated], ignoreOrder: true);
        toDigest.ShouldAllBe(n => n.InDigest && n.MailedAt == null);
        var toPlain = await NotificationsOfAsync(plain);
        toPlain.Select(n => n.Kind).ShouldBe([NotificationKind.TrustReceived, NotificationKind.PollCreated], ignoreOrder: true);
        toPlain.ShouldAllBe(n => !n.InDigest);

        // Back to in-app: the row goes, the next one is written again.
        await Service.SavePreferencesAsync(off, new Dictionary<NotificationKind, NotificationDelivery> { [NotificationKind.TrustReceived] = NotificationDelivery.InApp }, "en");
        await fixture.Get<TrustService>().RemoveAsync(giver, communityId, off);
        await fixture.Get<TrustService>().AwardAsync(giver, communityId, off);
        (await NotificationsOfAsync(off)).Select(n => n.Kind).ShouldBe([NotificationKind.TrustRemoved, NotificationKind.TrustReceived], ignoreOrder: true);
    }

    [Fact]
    public async Task Parallel_saves_of_one_members_preferences_all_succeed_and_one_of_them_is_kept()
    {
        var me = await fixture.CreateUserAsync();
        var choices = Enumerable.Range(0, 8).Select(i => new Dictionary<NotificationKind, NotificationDelivery>
        {
            [NotificationKind.TrustReceived] = i % 2 == 0 ? NotificationDelivery.Off : NotificationDelivery.Digest,
            [NotificationKind.PollCreated] = i % 2 == 0 ? NotificationDelivery.Off : NotificationDelivery.Digest,
        }).ToList();

        var results = await Task.WhenAll(choices.Select((c, i) => Race.Attempt(() => Service.SavePreferencesAsync(me, c, i % 2 == 0 ? "en" : "es"))));

        results.ShouldAllBe(won => won);
        var saved = (await Service.PreferencesAsync(me)).Where(p => p.Kind is NotificationKind.TrustReceived or NotificationKind.PollCreated).Select(p => p.Delivery).Distinct().ToList();
        saved.Count.ShouldBe(1, "both kinds come from the same save");
        await using var db = await fixture.NewContextAsync();
        var language = await db.NotificationSettings.Where(s => s.UserId == me).Select(s => s.Language).SingleAsync();
        language.ShouldBe(saved[0] == NotificationDelivery.Off ? "en" : "es");
    }

    [Fact]
    public async Task The_decay_warning_bulk_path_honours_off()
    {
        var (communityId, _) = await fixture.CreateCommunityAsync();
        var quiet = await fixture.AddMemberAsync(communityId, score: 50);
        var told = await fixture.AddMemberAsync(communityId, score: 50);
        var receiver = await fixture.AddMemberAsync(communityId);
        await Service.SavePreferencesAsync(quiet, new Dictionary<NotificationKind, NotificationDelivery> { [NotificationKind.DecayStarted] = NotificationDelivery.Off }, "en");
        await using (var db = await fixture.NewContextAsync())
        {
            foreach (var giver in new[] { quiet, told })
                db.TrustAwards.Add(new TrustAward { CommunityId = communityId, GiverId = giver, ReceiverId = receiver, RenewedAt = DateTime.UtcNow.AddYears(-3) });
            await db.SaveChangesAsync();
        }

        (await fixture.Get<TrustRecalculator>().WarnDecayStartedAsync(communityId, new CommunityApp.Features.Communities.DecaySettings())).ShouldBe(2);

        (await NotificationsOfAsync(quiet)).ShouldBeEmpty();
        (await NotificationsOfAsync(told)).ShouldHaveSingleItem().Kind.ShouldBe(NotificationKind.DecayStarted);
    }

    [Fact]
    public async Task A_link_the_reader_can_no_longer_open_says_why_and_one_that_opens_says_nothing()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var writer = await fixture.AddMemberAsync(communityId, score: 10);
        var reader = await fixture.AddMemberAsync(communityId, score: 10);
        var forum = fixture.Get<ForumService>();
        var category = await forum.CreateCategoryAsync(admin, communityId, new CategoryInput("General", "Anything"));
        var thread = await forum.CreateThreadAsync(writer, category, new ThreadInput("Bikes", "Chains", null));
        var kept = await forum.ReplyAsync(reader, thread, "Still here");
        var deleted = await forum.ReplyAsync(reader, thread, "Going away");
        var hidden = await forum.ReplyAsync(writer, thread, "Hidden soon");
        await forum.DeletePostAsync(reader, deleted);
        await using (var db = await fixture.NewContextAsync())
            await db.ForumPosts.Where(p => p.Id == hidden).ExecuteUpdateAsync(s => s.SetProperty(p => p.HiddenAt, DateTime.UtcNow));
        var urls = CommunityApp.Components.CommunityUrls.For(communityId);
        var links = fixture.Get<NotificationLinks>();
        async Task<string?> ReasonAsync(string user, string link, NotificationKind kind = NotificationKind.ForumMentioned) =>
            await links.UnavailableReasonAsync(user, new NotificationRow(Guid.NewGuid(), kind, "A", "S", link, DateTime.UtcNow, false, communityId));

        (await ReasonAsync(reader, urls.ForumPost(thread, kept))).ShouldBeNull();
        (await ReasonAsync(reader, urls.ForumPost(thread, deleted))).ShouldBe("the post was deleted.");
        (await ReasonAsync(reader, urls.ForumPost(thread, hidden))).ShouldBe("the post is hidden after flags.");
        (await ReasonAsync(writer, urls.ForumPost(thread, hidden))).ShouldBeNull("the author still sees their hidden post");
        (await ReasonAsync(reader, urls.ForumThread(Guid.NewGuid()))).ShouldNotBeNull();
        (await ReasonAsync(reader, urls.Share(Guid.NewGuid()))).ShouldNotBeNull();
        (await ReasonAsync(reader, urls.Poll(Guid.NewGuid()))).ShouldNotBeNull();
        (await ReasonAsync(reader, urls.Council(Guid.NewGuid()))).ShouldNotBeNull();
        (await ReasonAsync(reader, urls.Pool(Guid.NewGuid()))).ShouldNotBeNull();
        (await ReasonAsync(reader, urls.MyTrust, NotificationKind.TrustReceived)).ShouldBeNull();
        // A council deleted after the notification: its page no longer opens.
        var councils = fixture.Get<CommunityApp.Features.Councils.CouncilService>();
        var council = await councils.CreateAsync(admin, communityId, new CommunityApp.Features.Councils.CouncilInput("Garden council", "Looks after the garden."));
        (await ReasonAsync(reader, urls.Council(council), NotificationKind.CouncilManagerAdded)).ShouldBeNull();
        await councils.DeleteAsync(admin, council);
        (await ReasonAsync(reader, urls.Council(council), NotificationKind.CouncilManagerAdded)).ShouldNotBeNull();

        // A member who left no longer opens anything of the community; an invite's link is for a non-member anyway.
        await fixture.Get<MemberService>().LeaveAsync(reader, communityId);
        (await ReasonAsync(reader, urls.MyTrust, NotificationKind.TrustReceived)).ShouldBe("You are not a member of this community.");
        (await ReasonAsync(reader, urls.ForumPost(thread, kept))).ShouldBe("You are not a member of this community.");
        (await ReasonAsync(reader, "/communities", NotificationKind.InviteReceived)).ShouldBeNull();
    }

    [Fact]
    public async Task A_link_to_a_reply_past_the_first_page_leads_to_the_page_holding_it()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var writer = await fixture.AddMemberAsync(communityId, score: 10);
        var forum = fixture.Get<ForumService>();
        var category = await forum.CreateCategoryAsync(admin, communityId, new CategoryInput("General", "Anything"));
        var thread = await forum.CreateThreadAsync(writer, category, new ThreadInput("Long", "Many replies", null));
        var replies = new List<Guid>();
        for (var i = 0; i < 45; i++)
        {
            fixture.Clock.Set(new DateTimeOffset(Start.AddMinutes(i)));
            replies.Add(await forum.ReplyAsync(admin, thread, $"Reply {i}"));
        }
        var queries = fixture.Get<ForumQueries>();

        foreach (var (index, pages) in new[] { (0, 0), (19, 0), (20, 1), (39, 1), (40, 2), (44, 2) })
        {
            var cursors = await queries.CursorsToPostAsync(thread, replies[index], 20);
            cursors.Count.ShouldBe(pages);
            var page = await queries.ThreadAsync(admin, communityId, thread, cursors.LastOrDefault(), 20);
            page.Replies.Items.Select(p => p.Id).ShouldContain(replies[index]);
        }

        // The reply notification links there.
        await using var db = await fixture.NewContextAsync();
        var last = await db.Notifications.Where(n => n.UserId == writer && n.Kind == NotificationKind.ForumReplied).OrderByDescending(n => n.CreatedAt).FirstAsync();
        last.Link.ShouldBe($"/c/{communityId}/forum/threads/{thread}?post={replies[^1]}#post-{replies[^1]}");
    }
}
