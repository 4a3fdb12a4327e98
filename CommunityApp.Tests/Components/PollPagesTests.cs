using System.Text.RegularExpressions;
using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using CommunityApp.Features.Polls;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Components;

/// <summary>The polls pages (docs/SPEC.md §9) over the real services: the permission reason, field messages, the hidden-results rule, live results.</summary>
public sealed class PollPagesTests(SqliteServiceFixture data) : IClassFixture<SqliteServiceFixture>
{
    private PollService Polls => data.Get<PollService>();

    private async Task<string> MemberAsync(Guid communityId, string displayName, int score = 0)
    {
        var userId = await data.AddMemberAsync(communityId, score: score);
        await using var db = await data.NewContextAsync();
        await db.Users.Where(u => u.Id == userId).ExecuteUpdateAsync(s => s.SetProperty(u => u.DisplayName, displayName));
        return userId;
    }

    private static string Flat(string text) => Regex.Replace(text, @"\s+", " ").Trim();

    [Fact]
    public async Task Below_the_threshold_the_list_disables_new_poll_with_the_reason_and_says_there_are_none()
    {
        var (communityId, _) = await data.CreateCommunityAsync();
        var low = await MemberAsync(communityId, "Lia", 3);
        await using var context = PageTestContext.Create(data, low);
        context.Render<MudPopoverProvider>();

        var page = context.Render<PollsPage>(p => p.Add(x => x.CommunityId, communityId));

        page.WaitForAssertion(() => page.Find("#create-reason").TextContent.ShouldBe("Needs 15 trust, you have 3"));
        page.FindAll("button").Single(b => b.TextContent.Trim() == "New poll").HasAttribute("disabled").ShouldBeTrue();
        page.Find("[data-testid=polls-empty]").TextContent.ShouldBe("No polls yet.");
    }

    [Fact]
    public async Task The_list_shows_a_new_poll_live_with_its_state_and_voters()
    {
        var (communityId, admin) = await data.CreateCommunityAsync();
        var member = await MemberAsync(communityId, "Mo");
        await using var context = PageTestContext.Create(data, member);
        context.Render<MudPopoverProvider>();
        var page = context.Render<PollsPage>(p => p.Add(x => x.CommunityId, communityId));
        page.WaitForAssertion(() => page.Find("[data-testid=polls-empty]"));

        await context.Services.GetRequiredService<PollService>().CreateAsync(admin, communityId, new PollInput("New benches?", null, ["Yes", "No"], DurationHours: 5));

        page.WaitForAssertion(() => Flat(page.Find("[data-testid=poll-row]").TextContent).ShouldContain("New benches? Open"));
        page.Find("[data-testid=poll-row]").TextContent.ShouldContain("Voted: 0");
    }

    [Fact]
    public async Task Bad_input_on_the_new_poll_form_gets_field_messages_and_saves_nothing()
    {
        var (communityId, admin) = await data.CreateCommunityAsync();
        await using var context = PageTestContext.Create(data, admin);
        context.Render<MudPopoverProvider>();
        var page = context.Render<NewPollPage>(p => p.Add(x => x.CommunityId, communityId));
        page.WaitForAssertion(() => page.Find("[data-testid=create-allowed]").TextContent.ShouldBe("Admin"));

        var inputs = page.FindAll("[data-testid=poll-options] input");
        inputs[0].Change("Tea");
        inputs[1].Change("  TEA ");
        page.FindAll("button").Single(b => b.TextContent.Trim() == "Create poll").Click();

        page.WaitForAssertion(() => page.Markup.ShouldContain("Use 1 to 200 characters."));
        page.Markup.ShouldContain("The same as option 1.");
        await using var db = await data.NewContextAsync();
        (await db.Polls.CountAsync(p => p.CommunityId == communityId)).ShouldBe(0);
    }

    [Fact]
    public async Task Results_hidden_until_you_vote_appear_after_your_vote_and_follow_others_live()
    {
        var (communityId, admin) = await data.CreateCommunityAsync();
        var member = await MemberAsync(communityId, "Mo");
        var other = await MemberAsync(communityId, "Ola");
        var pollId = await Polls.CreateAsync(admin, communityId, new PollInput("Tea or coffee?", null, ["Tea", "Coffee"], Visibility: ResultsVisibility.AfterVote));
        await using var context = PageTestContext.Create(data, member);
        context.Render<MudPopoverProvider>();
        var page = context.Render<PollPage>(p => p.Add(x => x.CommunityId, communityId).Add(x => x.PollId, pollId));

        page.WaitForAssertion(() => page.Find("[data-testid=results-hidden]").TextContent.ShouldBe("The results show once you have voted."));
        page.FindAll("[data-testid=result-row]").ShouldBeEmpty();
        page.FindAll("[data-testid=poll-csv]").ShouldBeEmpty();

        page.FindAll("input[type=radio]")[1].Click();
        page.Find("textarea, input[type=text]").Change("Need it awake.");
        page.FindAll("button").Single(b => b.TextContent.Trim() == "Vote").Click();

        page.WaitForAssertion(() => page.Find("[data-testid=my-vote]").TextContent.ShouldBe("Coffee"));
        page.FindAll("[data-testid=result-count]").Select(e => e.TextContent).ShouldBe(["Votes: 0 · 0 %", "Votes: 1 · 100 %"]);
        Flat(page.Find("[data-testid=ballot]").TextContent).ShouldBe("Mo · Coffee“Need it awake.”");

        var tea = (await Polls.GetAsync(other, communityId, pollId)).Options[0].Id;
        await context.Services.GetRequiredService<PollService>().VoteAsync(other, pollId, new VoteInput(tea));

        page.WaitForAssertion(() => page.FindAll("[data-testid=result-count]").Select(e => e.TextContent).ShouldBe(["Votes: 1 · 50 %", "Votes: 1 · 50 %"]));
        page.Find("[data-testid=poll-voters]").TextContent.ShouldBe("2 of 3 members have voted.");
    }

    [Fact]
    public async Task A_dot_vote_that_does_not_add_up_gets_a_field_message_and_saves_nothing()
    {
        var (communityId, admin) = await data.CreateCommunityAsync();
        var member = await MemberAsync(communityId, "Mo");
        var pollId = await Polls.CreateAsync(admin, communityId, new PollInput("Share the rice", null, ["Families", "School"], PollKind.DotVoting, 5));
        await using var context = PageTestContext.Create(data, member);
        context.Render<MudPopoverProvider>();
        var page = context.Render<PollPage>(p => p.Add(x => x.CommunityId, communityId).Add(x => x.PollId, pollId));
        page.WaitForAssertion(() => page.Find("[data-testid=points-placed]"));

        page.FindAll("input[inputmode=numeric], input[type=number]")[0].Change("3");
        page.WaitForAssertion(() => page.Find("[data-testid=points-placed]").TextContent.ShouldBe("3 of 5 points placed"));
        page.FindAll("button").Single(b => b.TextContent.Trim() == "Vote").Click();

        page.WaitForAssertion(() => page.Markup.ShouldContain("Spread exactly 5 points; you gave 3."));
        await using var db = await data.NewContextAsync();
        (await db.PollVotes.CountAsync(v => v.PollId == pollId)).ShouldBe(0);
    }

    [Fact]
    public async Task A_closed_poll_page_stops_listening()
    {
        var (communityId, admin) = await data.CreateCommunityAsync();
        var pollId = await Polls.CreateAsync(admin, communityId, new PollInput("Soon over?", null, ["Yes", "No"], DurationHours: 2));
        await using var context = PageTestContext.Create(data, admin);
        context.Render<MudPopoverProvider>();
        var hub = (CommunityApp.Events.InMemoryEventHub)context.Services.GetRequiredService<CommunityApp.Events.IEventHub>();
        var before = hub.SubscriberCount;
        var page = context.Render<PollPage>(p => p.Add(x => x.CommunityId, communityId).Add(x => x.PollId, pollId));
        page.WaitForAssertion(() => page.Find("[data-testid=poll-question]"));
        hub.SubscriberCount.ShouldBeGreaterThan(before);

        await context.DisposeComponentsAsync();

        hub.SubscriberCount.ShouldBe(before);
    }
}
