using Bunit;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;
using CommunityApp.Components.Shared;

namespace CommunityApp.Tests.Components;

/// <summary>The one action path of the pages (ActionRunner through ActionComponentBase), on a miniature page.</summary>
public sealed class ActionRunnerTests : IAsyncDisposable
{
    private readonly BunitContext context = new();
    private readonly IRenderedComponent<MudSnackbarProvider> snackbar;
    private readonly IRenderedComponent<MudDialogProvider> dialogs;
    private int runs;

    public ActionRunnerTests()
    {
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        context.Services.AddMudServices();
        context.Services.AddLocalization();
        context.Services.AddTransient<MudLocalizer, AppMudLocalizer>();
        context.Services.AddLogging();
        context.Services.AddScoped<ActionRunner>();
        context.Services.AddSingleton(new CommunityApp.Auth.ThrottleOptions { ActionsPerMinute = 3 });
        context.Services.AddSingleton<CommunityApp.Auth.ActionThrottle>();
        context.AddAuthorization().SetAuthorized("ana").SetClaims(new System.Security.Claims.Claim(System.Security.Claims.ClaimTypes.NameIdentifier, "ana-id"));
        context.Render<MudPopoverProvider>();
        snackbar = context.Render<MudSnackbarProvider>();
        dialogs = context.Render<MudDialogProvider>();
    }

    public ValueTask DisposeAsync() => context.DisposeAsync();

    private IRenderedComponent<ActionProbe> Render(Func<Task> work, Confirmation? confirm = null) =>
        context.Render<ActionProbe>(p => p
            .Add(x => x.Work, () => { runs++; return work(); })
            .Add(x => x.Confirm, confirm));

    private static Func<Task> Throws(Exception ex) => () => Task.FromException(ex);

    [Fact]
    public void A_number_field_holding_text_that_is_not_a_whole_number_stops_the_action_with_its_message_until_it_reads_again()
    {
        var page = Render(() => Task.CompletedTask);
        var input = page.Find("input");

        input.Change("1.5");
        page.Find("#act").Click();

        runs.ShouldBe(0, "the field holds a number that is not the typed 1.5 (its last one, or 0), so running would save that");
        page.WaitForAssertion(() => page.Find("#amount-error").TextContent.ShouldBe("Type a whole number, such as 5."));
        page.Markup.ShouldNotContain("Not a valid number", Case.Sensitive, "MudBlazor's own message is English in every language");

        page.Find("input").Change("7");
        page.Find("#act").Click();

        page.WaitForAssertion(() => runs.ShouldBe(1));
        page.Instance.Amount.ShouldBe(7);
        page.Find("#amount-error").TextContent.ShouldBeEmpty();
    }

    [Fact]
    public void Past_the_actions_per_minute_limit_an_action_does_not_run_and_the_page_says_to_wait()
    {
        var page = Render(() => Task.CompletedTask);
        for (var i = 1; i <= 3; i++)
        {
            page.Find("#act").Click();
            page.WaitForAssertion(() => page.Find("#refreshes").TextContent.ShouldBe(i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        page.Find("#act").Click();

        runs.ShouldBe(3, "the fourth action within the minute is refused before it runs");
        snackbar.WaitForAssertion(() => snackbar.Markup.ShouldContain("You are doing this too often. Wait a few seconds, then try again."));
        page.Find("#act").HasAttribute("disabled").ShouldBeFalse("the page stays usable");
    }

    [Fact]
    public void While_an_action_runs_its_control_is_busy_and_a_second_click_runs_nothing_then_success_refreshes_and_says_so()
    {
        var finish = new TaskCompletionSource();
        var page = Render(() => finish.Task);

        page.Find("#act").Click();

        page.Find("#act").HasAttribute("disabled").ShouldBeTrue();
        page.Find("#act").TextContent.ShouldBe("Working");
        page.Instance.Refreshes.ShouldBe(0);
        page.Find("#act").Click();
        runs.ShouldBe(1, "a busy action does not start again");

        finish.SetResult();

        page.WaitForAssertion(() => page.Find("#act").HasAttribute("disabled").ShouldBeFalse());
        page.Find("#refreshes").TextContent.ShouldBe("1");
        snackbar.WaitForAssertion(() => snackbar.Markup.ShouldContain("Done."));
    }

    [Fact]
    public void A_refusal_with_field_messages_shows_the_page_s_fields_beside_them_and_the_rest_in_a_snackbar()
    {
        var page = Render(Throws(new ValidationFailedException(new Dictionary<string, string>
        {
            ["name"] = "Use at most 100 characters.",
            ["elsewhere"] = "Pick a category.",
        })));

        page.Find("#act").Click();

        page.WaitForAssertion(() => page.Find("#name-error").TextContent.ShouldBe("Use at most 100 characters."));
        snackbar.WaitForAssertion(() => snackbar.Markup.ShouldContain("Pick a category."));
        snackbar.Markup.ShouldNotContain("Use at most 100 characters.");
        snackbar.Markup.ShouldNotContain("Done.");
        page.Find("#refreshes").TextContent.ShouldBe("0", "what was typed stays for the user to fix");
        page.Find("#act").HasAttribute("disabled").ShouldBeFalse();
    }

    [Fact]
    public void The_next_attempt_clears_the_old_field_messages()
    {
        var fail = true;
        var page = Render(() => fail ? Task.FromException(new ValidationFailedException(new Dictionary<string, string> { ["name"] = "Enter a name." })) : Task.CompletedTask);
        page.Find("#act").Click();
        page.WaitForAssertion(() => page.Find("#name-error").TextContent.ShouldBe("Enter a name."));

        fail = false;
        page.Find("#act").Click();

        page.WaitForAssertion(() => page.Find("#name-error").TextContent.ShouldBeEmpty());
    }

    [Fact]
    public void A_refusal_is_shown_in_a_snackbar_and_the_page_refreshes_because_the_data_may_have_moved_on()
    {
        var page = Render(Throws(new AppException("This share was withdrawn.")));

        page.Find("#act").Click();

        snackbar.WaitForAssertion(() => snackbar.Markup.ShouldContain("This share was withdrawn."));
        page.Find("#refreshes").TextContent.ShouldBe("1");
        page.Find("#act").HasAttribute("disabled").ShouldBeFalse();
    }

    [Fact]
    public void Declining_the_confirmation_runs_nothing_and_confirming_runs_the_action()
    {
        var page = Render(() => Task.CompletedTask, new Confirmation("Remove trust?", "Their score drops at once.", "Remove", "Keep it"));

        page.Find("#act").Click();
        dialogs.WaitForAssertion(() => dialogs.Markup.ShouldContain("Their score drops at once."));
        dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Keep it").Click();

        dialogs.WaitForAssertion(() => dialogs.Markup.ShouldNotContain("Their score drops at once."));
        runs.ShouldBe(0);
        page.Find("#refreshes").TextContent.ShouldBe("0");

        page.Find("#act").Click();
        dialogs.WaitForAssertion(() => dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Remove").Click());

        page.WaitForAssertion(() => runs.ShouldBe(1));
        snackbar.WaitForAssertion(() => snackbar.Markup.ShouldContain("Done."));
    }

    [Fact]
    public void An_unavailable_database_gets_a_plain_message_and_the_page_stays_usable()
    {
        var page = Render(Throws(new Microsoft.EntityFrameworkCore.DbUpdateException("save failed", new SqliteException("database is locked", 5))));

        page.Find("#act").Click();

        snackbar.WaitForAssertion(() => snackbar.Markup.ShouldContain("The database is unavailable; try again in a moment."));
        page.Find("#act").HasAttribute("disabled").ShouldBeFalse("the button is not left disabled");
        page.Find("#act").Click();
        runs.ShouldBe(2, "the user can try again");
    }

    [Fact]
    public void An_unexpected_failure_is_logged_and_shown_plainly_instead_of_ending_the_circuit()
    {
        var page = Render(Throws(new InvalidOperationException("a bug")));

        page.Find("#act").Click();

        snackbar.WaitForAssertion(() => snackbar.Markup.ShouldContain("Something went wrong. It has been logged; try again."));
        snackbar.Markup.ShouldNotContain("a bug");
        page.Find("#act").HasAttribute("disabled").ShouldBeFalse();
    }
}
