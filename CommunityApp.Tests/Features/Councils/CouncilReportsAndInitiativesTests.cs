using Microsoft.EntityFrameworkCore;
using CommunityApp.Features.Audit;
using CommunityApp.Features.Councils;
using CommunityApp.Features.Notifications;
using CommunityApp.Tests.Infrastructure;
using static CommunityApp.Tests.Infrastructure.Refusals;

namespace CommunityApp.Tests.Features.Councils;

/// <summary>Council usage reports and initiatives (docs/SPEC.md §6) on PostgreSQL: every rule, every refusal, votes under load.</summary>
public sealed class CouncilReportsAndInitiativesTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    private CouncilReportService Reports => fixture.Get<CouncilReportService>();
    private InitiativeService Initiatives => fixture.Get<InitiativeService>();

    private const string ManagersOnly = "Only the council's managers and admins can do that.";
    private static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13];

    private sealed record Setup(Guid CommunityId, string Admin, string Manager, string Member, Guid CouncilId);

    private async Task<Setup> SetUpAsync()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var manager = await fixture.AddMemberAsync(communityId, score: 25);
        var member = await fixture.AddMemberAsync(communityId, score: 10);
        var councilId = await fixture.Get<CouncilService>().CreateAsync(manager, communityId, new CouncilInput("Food pantry", "Collects food and hands it to who needs it."));
        return new Setup(communityId, admin, manager, member, councilId);
    }


    private async Task<int> AuditCountAsync(Guid communityId, AuditAction action)
    {
        await using var db = await fixture.NewContextAsync();
        return await db.AuditLog.CountAsync(a => a.CommunityId == communityId && a.Action == action);
    }

    [Fact]
    public async Task Managers_publish_reports_members_read_them_newest_first_and_others_are_refused_with_nothing_saved()
    {
        var s = await SetUpAsync();
        (await Refusal(() => Reports.CreateAsync(s.Member, s.CouncilId, new ReportInput("Saturday", "We fed 40 people.")))).ShouldBe(ManagersOnly);
        var first = await Reports.CreateAsync(s.Manager, s.CouncilId, new ReportInput("  March  ", "We used **20 kg** of rice."));
        fixture.Clock.Advance(TimeSpan.FromMinutes(1));
        var second = await Reports.CreateAsync(s.Admin, s.CouncilId, new ReportInput("April", "Soup kitchen twice."));

        var page = await Reports.ListAsync(s.Member, s.CommunityId, s.CouncilId, 0, 10);
        page.Items.Select(r => r.Id).ShouldBe([second, first]);
        page.Items[1].Title.ShouldBe("March");
        page.Items.ShouldAllBe(r => !r.MayEdit);
        (await Reports.ListAsync(s.Member, s.CommunityId, s.CouncilId, 1, 1)).Items.Single().Id.ShouldBe(first);
        (await AuditCountAsync(s.CommunityId, AuditAction.CouncilReportPublished)).ShouldBe(2);

        var outsider = await fixture.CreateUserAsync();
        await Should.ThrowAsync<ForbiddenException>(() => Reports.ListAsync(outsider, s.CommunityId, s.CouncilId, 0, 10));
    }

    [Fact]
    public async Task Report_titles_and_bodies_outside_their_limits_get_field_messages_and_nothing_is_saved()
    {
        var s = await SetUpAsync();
        (await FieldErrors(() => Reports.CreateAsync(s.Manager, s.CouncilId, new ReportInput("  ", "")))).ShouldBe(new Dictionary<string, string>
        {
            ["title"] = "Use 1 to 200 characters.",
            ["body"] = "Use 1 to 20000 characters.",
        }, ignoreOrder: true);
        (await FieldErrors(() => Reports.CreateAsync(s.Manager, s.CouncilId, new ReportInput(new string('t', 201), new string('b', 20_001))))).Keys.ShouldBe(["title", "body"], ignoreOrder: true);
        (await FieldErrors(() => Reports.CreateAsync(s.Manager, s.CouncilId, new ReportInput("Nul", "a\0b"))))["body"].ShouldNotBeEmpty();
        await Reports.CreateAsync(s.Manager, s.CouncilId, new ReportInput(new string('t', 200), new string('b', 20_000)));
        await using var db = await fixture.NewContextAsync();
        (await db.CouncilReports.CountAsync(r => r.CouncilId == s.CouncilId)).ShouldBe(1);
        (await AuditCountAsync(s.CommunityId, AuditAction.CouncilReportPublished)).ShouldBe(1);
    }

    [Fact]
    public async Task The_author_and_managers_edit_and_soft_delete_a_report_and_members_may_not()
    {
        var s = await SetUpAsync();
        var reportId = await Reports.CreateAsync(s.Manager, s.CouncilId, new ReportInput("March", "Rice."));
        (await Refusal(() => Reports.UpdateAsync(s.Member, reportId, new ReportInput("Hacked", "x")))).ShouldBe("Only the report's author and the council's managers can do that.");
        (await Refusal(() => Reports.DeleteAsync(s.Member, reportId))).ShouldBe("Only the report's author and the council's managers can do that.");
        (await FieldErrors(() => Reports.UpdateAsync(s.Manager, reportId, new ReportInput("", "Rice."))))["title"].ShouldBe("Use 1 to 200 characters.");

        await Reports.UpdateAsync(s.Admin, reportId, new ReportInput("March, corrected", "Rice and beans."));
        var row = (await Reports.ListAsync(s.Manager, s.CommunityId, s.CouncilId, 0, 10)).Items.Single();
        (row.Title, row.Body, row.MayEdit).ShouldBe(("March, corrected", "Rice and beans.", true));
        (await AuditCountAsync(s.CommunityId, AuditAction.CouncilReportEdited)).ShouldBe(1);

        await Reports.DeleteAsync(s.Manager, reportId);
        (await Reports.ListAsync(s.Member, s.CommunityId, s.CouncilId, 0, 10)).Total.ShouldBe(0);
        await using var db = await fixture.NewContextAsync();
        (await db.CouncilReports.IgnoreQueryFilters().SingleAsync(r => r.Id == reportId)).DeletedAt.ShouldNotBeNull();
        (await AuditCountAsync(s.CommunityId, AuditAction.CouncilReportDeleted)).ShouldBe(1);
        (await Refusal(() => Reports.UpdateAsync(s.Manager, reportId, new ReportInput("Again", "x")))).ShouldBe("That report was not found.");
    }

    [Fact]
    public async Task Report_pictures_are_typed_from_their_bytes_capped_at_2_MB_and_five_per_report()
    {
        var s = await SetUpAsync();
        var reportId = await Reports.CreateAsync(s.Manager, s.CouncilId, new ReportInput("March", "Rice."));
        (await FieldErrors(() => Reports.AddImageAsync(s.Manager, reportId, new MemoryStream("<svg onload=alert(1)>"u8.ToArray()))))["image"]
            .ShouldBe("Only PNG, JPEG, GIF or WebP images can be used.");
        var big = new byte[2 * 1024 * 1024 + 1];
        Png.CopyTo(big, 0);
        (await FieldErrors(() => Reports.AddImageAsync(s.Manager, reportId, new MemoryStream(big))))["image"].ShouldBe("The image must be at most 2 MB.");
        (await Refusal(() => Reports.AddImageAsync(s.Member, reportId, new MemoryStream(Png)))).ShouldBe("Only the report's author and the council's managers can do that.");

        for (var i = 0; i < 5; i++) await Reports.AddImageAsync(s.Manager, reportId, new MemoryStream(Png));
        (await FieldErrors(() => Reports.AddImageAsync(s.Manager, reportId, new MemoryStream(Png))))["image"].ShouldBe("A report holds at most 5 pictures.");
        var row = (await Reports.ListAsync(s.Member, s.CommunityId, s.CouncilId, 0, 10)).Items.Single();
        row.ImageIds.Count.ShouldBe(5);
        await using (var db = await fixture.NewContextAsync())
            (await db.CouncilReportImages.Where(i => i.ReportId == reportId).Select(i => i.ContentType).Distinct().ToListAsync()).ShouldBe(["image/png"]);

        (await Refusal(() => Reports.RemoveImageAsync(s.Member, row.ImageIds[0]))).ShouldBe("Only the report's author and the council's managers can do that.");
        await Reports.RemoveImageAsync(s.Manager, row.ImageIds[0]);
        (await Reports.ListAsync(s.Member, s.CommunityId, s.CouncilId, 0, 10)).Items.Single().ImageIds.Count.ShouldBe(4);
        (await AuditCountAsync(s.CommunityId, AuditAction.CouncilReportImageAdded)).ShouldBe(5);
        (await AuditCountAsync(s.CommunityId, AuditAction.CouncilReportImageRemoved)).ShouldBe(1);
    }

    [Fact]
    public async Task Managers_propose_initiatives_and_move_their_status_audited_and_members_are_refused()
    {
        var s = await SetUpAsync();
        (await Refusal(() => Initiatives.CreateAsync(s.Member, s.CouncilId, new InitiativeInput("Community fridge", "Put a fridge in the hall.")))).ShouldBe(ManagersOnly);
        (await FieldErrors(() => Initiatives.CreateAsync(s.Manager, s.CouncilId, new InitiativeInput("", new string('d', 20_001))))).ShouldBe(new Dictionary<string, string>
        {
            ["title"] = "Use 1 to 200 characters.",
            ["description"] = "Use 1 to 20000 characters.",
        }, ignoreOrder: true);
        await using (var db = await fixture.NewContextAsync()) (await db.Initiatives.CountAsync(i => i.CouncilId == s.CouncilId)).ShouldBe(0);

        var id = await Initiatives.CreateAsync(s.Manager, s.CouncilId, new InitiativeInput("Community fridge", "Put a fridge in the hall."));
        (await Initiatives.GetAsync(s.Member, s.CommunityId, s.CouncilId, id)).Status.ShouldBe(InitiativeStatus.Active);
        (await Refusal(() => Initiatives.SetStatusAsync(s.Member, id, InitiativeStatus.Cancelled))).ShouldBe(ManagersOnly);
        (await FieldErrors(() => Initiatives.SetStatusAsync(s.Manager, id, (InitiativeStatus)42)))["status"].ShouldBe("Choose one of the statuses.");
        await Initiatives.SetStatusAsync(s.Manager, id, InitiativeStatus.Completed);
        (await Initiatives.GetAsync(s.Member, s.CommunityId, s.CouncilId, id)).Status.ShouldBe(InitiativeStatus.Completed);
        (await Initiatives.ListAsync(s.Member, s.CommunityId, s.CouncilId, InitiativeStatus.Active, 0, 10)).Total.ShouldBe(0);
        (await Initiatives.ListAsync(s.Member, s.CommunityId, s.CouncilId, InitiativeStatus.Completed, 0, 10)).Items.Single().Id.ShouldBe(id);
        await using var after = await fixture.NewContextAsync();
        var audit = await after.AuditLog.Where(a => a.CommunityId == s.CommunityId && a.Action == AuditAction.InitiativeStatusChanged).SingleAsync();
        audit.Details.ShouldContain("\"old\":\"Active\"");
        audit.Details.ShouldContain("\"new\":\"Completed\"");
        (await AuditCountAsync(s.CommunityId, AuditAction.InitiativeCreated)).ShouldBe(1);
        (await Refusal(() => Initiatives.VoteAsync(s.Member, id, VoteDirection.Up))).ShouldBe("Only active initiatives take votes.");
    }

    [Fact]
    public async Task A_member_votes_once_changes_and_withdraws_the_vote_and_the_score_follows()
    {
        var s = await SetUpAsync();
        var id = await Initiatives.CreateAsync(s.Manager, s.CouncilId, new InitiativeInput("Community fridge", "Put a fridge in the hall."));
        (await Initiatives.VoteAsync(s.Member, id, VoteDirection.Up)).ShouldBe(1);
        (await Initiatives.VoteAsync(s.Member, id, VoteDirection.Up)).ShouldBe(1);
        (await Initiatives.VoteAsync(s.Manager, id, VoteDirection.Up)).ShouldBe(2);
        (await Initiatives.VoteAsync(s.Member, id, VoteDirection.Down)).ShouldBe(0);
        var detail = await Initiatives.GetAsync(s.Member, s.CommunityId, s.CouncilId, id);
        (detail.UpVotes, detail.DownVotes, detail.Score, detail.MyVote).ShouldBe((1, 1, 0, (VoteDirection?)VoteDirection.Down));
        (await Initiatives.VoteAsync(s.Member, id, null)).ShouldBe(1);
        detail = await Initiatives.GetAsync(s.Member, s.CommunityId, s.CouncilId, id);
        (detail.UpVotes, detail.DownVotes, detail.Score, detail.MyVote).ShouldBe((1, 0, 1, (VoteDirection?)null));
        (await FieldErrors(() => Initiatives.VoteAsync(s.Member, id, (VoteDirection)7)))["vote"].ShouldBe("Vote up or down.");
        var outsider = await fixture.CreateUserAsync();
        await Should.ThrowAsync<ForbiddenException>(() => Initiatives.VoteAsync(outsider, id, VoteDirection.Up));
        await using var db = await fixture.NewContextAsync();
        (await db.InitiativeVotes.CountAsync(v => v.InitiativeId == id)).ShouldBe(1);
    }

    [Fact]
    public async Task Thirty_parallel_votes_by_one_member_count_once()
    {
        var s = await SetUpAsync();
        var id = await Initiatives.CreateAsync(s.Manager, s.CouncilId, new InitiativeInput("Community fridge", "Put a fridge in the hall."));
        await Task.WhenAll(Enumerable.Range(0, 30).Select(_ => Task.Run(() => Initiatives.VoteAsync(s.Member, id, VoteDirection.Up))));
        await using var db = await fixture.NewContextAsync();
        var row = await db.Initiatives.SingleAsync(i => i.Id == id);
        (row.UpVotes, row.DownVotes, row.Score).ShouldBe((1, 0, 1));
        (await db.InitiativeVotes.CountAsync(v => v.InitiativeId == id)).ShouldBe(1);
    }

    [Fact]
    public async Task Thirty_members_voting_at_once_lose_no_vote()
    {
        var s = await SetUpAsync();
        var id = await Initiatives.CreateAsync(s.Manager, s.CouncilId, new InitiativeInput("Community fridge", "Put a fridge in the hall."));
        var voters = new List<string>();
        for (var i = 0; i < 30; i++) voters.Add(await fixture.AddMemberAsync(s.CommunityId));
        await Task.WhenAll(voters.Select((v, i) => Task.Run(() => Initiatives.VoteAsync(v, id, i % 3 == 0 ? VoteDirection.Down : VoteDirection.Up))));
        await using var db = await fixture.NewContextAsync();
        var row = await db.Initiatives.SingleAsync(i => i.Id == id);
        (row.UpVotes, row.DownVotes, row.Score).ShouldBe((20, 10, 10));
        (await db.InitiativeVotes.CountAsync(v => v.InitiativeId == id)).ShouldBe(30);
    }

    [Fact]
    public async Task Members_comment_managers_are_told_and_only_authors_delete_their_comments()
    {
        var s = await SetUpAsync();
        var id = await Initiatives.CreateAsync(s.Manager, s.CouncilId, new InitiativeInput("Community fridge", "Put a fridge in the hall."));
        (await FieldErrors(() => Initiatives.CommentAsync(s.Member, id, "   ")))["comment"].ShouldBe("Use 1 to 2000 characters.");
        (await FieldErrors(() => Initiatives.CommentAsync(s.Member, id, new string('c', 2001))))["comment"].ShouldBe("Use 1 to 2000 characters.");
        await using (var db = await fixture.NewContextAsync())
        {
            (await db.InitiativeComments.CountAsync(c => c.InitiativeId == id)).ShouldBe(0);
            (await db.Notifications.CountAsync(n => n.Kind == NotificationKind.InitiativeCommented)).ShouldBe(0);
        }

        var commentId = await Initiatives.CommentAsync(s.Member, id, "I can clean it on Mondays.");
        await Initiatives.CommentAsync(s.Manager, id, "Thanks!");
        await using (var db = await fixture.NewContextAsync())
        {
            var told = await db.Notifications.Where(n => n.Kind == NotificationKind.InitiativeCommented).ToListAsync();
            told.Select(n => n.UserId).ShouldBe([s.Manager], "the manager hears of the member's comment, nobody of their own");
            told.Single().Subject.ShouldBe("Community fridge");
            told.Single().Link.ShouldEndWith($"/councils/{s.CouncilId}/initiatives/{id}");
        }
        var comments = await Initiatives.CommentsAsync(s.Member, s.CommunityId, id, 0, 10);
        comments.Items.Select(c => c.Body).ShouldBe(["Thanks!", "I can clean it on Mondays."]);

        (await Refusal(() => Initiatives.DeleteCommentAsync(s.Manager, commentId))).ShouldBe("Only the comment's author can change it.");
        await Initiatives.DeleteCommentAsync(s.Member, commentId);
        (await Initiatives.CommentsAsync(s.Member, s.CommunityId, id, 0, 10)).Items.Select(c => c.Body).ShouldBe(["Thanks!"]);
    }

    [Fact]
    public async Task Managers_write_dated_progress_reports_audited_and_members_may_not()
    {
        var s = await SetUpAsync();
        var id = await Initiatives.CreateAsync(s.Manager, s.CouncilId, new InitiativeInput("Community fridge", "Put a fridge in the hall."));
        (await Refusal(() => Initiatives.AddProgressAsync(s.Member, id, "Fridge bought."))).ShouldBe(ManagersOnly);
        (await FieldErrors(() => Initiatives.AddProgressAsync(s.Manager, id, "")))["progress"].ShouldBe("Use 1 to 20000 characters.");
        await Initiatives.AddProgressAsync(s.Manager, id, "Fridge **bought**.");
        var progress = await Initiatives.ProgressAsync(s.Member, s.CommunityId, id);
        progress.Single().Body.ShouldBe("Fridge **bought**.");
        progress.Single().At.ShouldBe(fixture.Clock.GetUtcNow().UtcDateTime, TimeSpan.FromSeconds(1));
        (await AuditCountAsync(s.CommunityId, AuditAction.InitiativeProgressAdded)).ShouldBe(1);
    }

    [Fact]
    public async Task Managers_edit_an_initiative_audited_bad_input_saves_nothing_and_members_may_not()
    {
        var s = await SetUpAsync();
        var id = await Initiatives.CreateAsync(s.Manager, s.CouncilId, new InitiativeInput("Community fridge", "Put a fridge in the hall."));
        (await Refusal(() => Initiatives.UpdateAsync(s.Member, id, new InitiativeInput("Mine now", "x")))).ShouldBe(ManagersOnly);
        (await FieldErrors(() => Initiatives.UpdateAsync(s.Manager, id, new InitiativeInput(new string('t', 201), "ok"))))["title"].ShouldBe("Use 1 to 200 characters.");
        (await Initiatives.GetAsync(s.Member, s.CommunityId, s.CouncilId, id)).Title.ShouldBe("Community fridge");
        (await AuditCountAsync(s.CommunityId, AuditAction.InitiativeEdited)).ShouldBe(0);

        await Initiatives.UpdateAsync(s.Admin, id, new InitiativeInput("Community fridge and pantry shelf", "Put a fridge and a shelf in the hall."));
        var detail = await Initiatives.GetAsync(s.Member, s.CommunityId, s.CouncilId, id);
        (detail.Title, detail.Description).ShouldBe(("Community fridge and pantry shelf", "Put a fridge and a shelf in the hall."));
        (await AuditCountAsync(s.CommunityId, AuditAction.InitiativeEdited)).ShouldBe(1);
        (await Refusal(() => Initiatives.GetAsync(s.Member, s.CommunityId, Guid.NewGuid(), id))).ShouldBe("That initiative was not found.");
    }

    [Fact]
    public async Task Parallel_uploads_never_give_a_report_more_than_five_pictures()
    {
        var s = await SetUpAsync();
        var reportId = await Reports.CreateAsync(s.Manager, s.CouncilId, new ReportInput("March", "Rice."));
        var results = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => Task.Run(() => Refusal(() => Reports.AddImageAsync(s.Manager, reportId, new MemoryStream(Png)))
            .ContinueWith(t => t.IsFaulted ? null : t.Result))));
        results.Count(r => r == "A report holds at most 5 pictures.").ShouldBe(7);
        await using var db = await fixture.NewContextAsync();
        (await db.CouncilReportImages.CountAsync(i => i.ReportId == reportId)).ShouldBe(5);
    }
}
