using System.Diagnostics;
using System.Globalization;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using CommunityApp.Components;
using CommunityApp.Data;
using CommunityApp.Features.Communities;
using CommunityApp.Features.Invites;
using CommunityApp.Features.Trust;
using CommunityApp.Features.Wealth;
using CommunityApp.Tests.Features.Fuzz;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Browser;

/// <summary>
/// The browser fuzz pass (SPEC §20, issue "Hardening" §17): every form of the app, filled in Chromium with hostile text
/// and numbers from <see cref="Hostile"/> and submitted as a person would. After each submission: no HTTP 5xx, no script
/// dialog, no Blazor error bar or lost circuit, nothing logged as an error, and when the page shows a refusal (a field
/// message, an error snackbar or an error alert) not one row was written. The default run submits
/// each form once (again while its button stays disabled); <c>COMMUNITYAPP_BROWSER_FUZZ=1000</c> runs the full pass (README, "Fuzzing").
/// The inputs follow <c>COMMUNITYAPP_FUZZ_SEED</c>, like the service fuzz tests.
/// </summary>
public sealed class FormFuzzTests(BrowserFixture browser) : BrowserTest(browser)
{
    /// <summary>The write counter's triggers stay in the database, and every row any request writes counts: an app of its own.</summary>
    protected override bool SharesApp => false;

    /// <summary>Submissions in a row on one form before the next, in the full pass.</summary>
    private const int RunLength = 2;

    /// <summary>
    /// The default run submits each form once; a form whose button stays disabled after the fill (a settings section whose
    /// values did not change) gets up to this many more fills.
    /// </summary>
    private const int DefaultRetries = 3;

    /// <summary>Longer text than this ends the circuit at the hub's message limit (docs/ARCHITECTURE.md, "Circuits"); the service fuzz covers it.</summary>
    private const int MaxTypedLength = 20_000;

    /// <summary><c>COMMUNITYAPP_BROWSER_FUZZ</c>: the submissions of the full pass; null for the default run.</summary>
    private static int? FullPass => int.TryParse(Environment.GetEnvironmentVariable("COMMUNITYAPP_BROWSER_FUZZ"), out var n) && n > 0 ? n : null;

    /// <summary>One form: where it is, the button that submits it, and whether it is an interactive (circuit) form or a static one that posts.</summary>
    private sealed record Form(string Name, string Url, Func<IPage, ILocator> Submit, bool Static = false);

    private sealed record Outcome(string Form, string Inputs, bool Refused, long Writes, string Refusal);

    [Fact]
    public async Task Every_form_survives_hostile_input_and_a_refusal_saves_nothing()
    {
        var ct = TestContext.Current.CancellationToken;
        var admin = await App.CreateUserAsync("fuzzadmin");
        var member = await App.CreateUserAsync("fuzzmember");
        var (communityId, adminShare, memberShare, poolId) = await SetUpAsync(admin.Id, member.Id);
        var urls = CommunityUrls.For(communityId);
        ILocator Button(IPage page, string name, int nth = 0) => page.GetByRole(AriaRole.Button, new() { Name = name, Exact = true }).Nth(nth);

        Form[] signedIn =
        [
            new("create community", "/communities/new", p => Button(p, "Create")),
            new("edit community", urls.Edit, p => Button(p, "Save")),
            new("profile", "/profile", p => Button(p, "Save")),
            new("new share", urls.NewShare, p => Button(p, "Share it")),
            new("edit share", urls.EditShare(adminShare), p => Button(p, "Save")),
            new("request", urls.Share(memberShare), p => Button(p, "Request")),
            new("comment", urls.Share(memberShare), p => Button(p, "Post")),
            new("category", urls.Catalogue, p => Button(p, "Add", 0)),
            new("item", urls.Catalogue, p => Button(p, "Add", 1)),
            new("invite link", urls.Invites, p => Button(p, "Create link")),
            new("direct invite", urls.Invites, p => Button(p, "Send invite")),
            new("thresholds", urls.Settings, p => p.GetByRole(AriaRole.Button, new() { Name = "Save Trust thresholds" })),
            new("decay", urls.Settings, p => p.GetByRole(AriaRole.Button, new() { Name = "Save Trust decay" })),
            new("analytics", urls.Settings, p => p.GetByRole(AriaRole.Button, new() { Name = "Save Analytics" })),
            new("trust level", urls.Settings, p => Button(p, "Add level")),
            new("new council", urls.NewCouncil, p => Button(p, "Create a council")),
            new("new need", urls.NewNeed, p => Button(p, "Publish need")),
            new("new poll", urls.NewPoll, p => Button(p, "Create poll")),
            new("share checkout link", urls.Share(adminShare), p => Button(p, "Create checkout link")),
            new("pool checkout link", urls.Pool(poolId), p => Button(p, "Create checkout link")),
        ];
        Form[] signedOut =
        [
            new("register", "/Account/Register", p => Button(p, "Register"), Static: true),
            new("sign in", "/Account/Login", p => Button(p, "Sign in"), Static: true),
            new("forgot password", "/Account/ForgotPassword", p => Button(p, "Send reset link"), Static: true),
            new("resend confirmation", "/Account/ResendConfirmation", p => Button(p, "Send link"), Static: true),
        ];

        await using var adminContext = await NewContextAsync();
        var adminPage = await adminContext.NewPageAsync();
        await SignInAsync(adminPage, "fuzzadmin");
        await using var visitorContext = await NewContextAsync();
        var visitorPage = await visitorContext.NewPageAsync();

        var problems = new List<string>();
        foreach (var page in new[] { adminPage, visitorPage }) Watch(page, problems);
        var values = new Values(Fuzz.Seed);
        var forms = signedIn.Select(f => (Form: f, Page: adminPage)).Concat(signedOut.Select(f => (Form: f, Page: visitorPage))).ToArray();
        var outcomes = new List<Outcome>();
        var clock = Stopwatch.StartNew();
        var tried = 0;
        if (FullPass is { } submissions)
        {
            // A few submissions in a row on each form: a person retries on the page they are on, and it saves a page load each.
            for (var n = 0; n < submissions; n++)
            {
                var (form, page) = forms[n / RunLength % forms.Length];
                await SubmitOnceAsync(form, page);
            }
        }
        else
        {
            foreach (var (form, page) in forms)
                for (var attempt = 0; attempt <= DefaultRetries && await SubmitOnceAsync(form, page) is null; attempt++) { }
        }

        async Task<Outcome?> SubmitOnceAsync(Form form, IPage page)
        {
            var n = tried++;
            Outcome? outcome;
            var took = Stopwatch.StartNew();
            try
            {
                outcome = await SubmitAsync(page, form, values, ct);
            }
            catch (Exception ex) when (ex is TimeoutException or PlaywrightException)
            {
                throw new ShouldAssertException($"submission {n + 1}, form \"{form.Name}\" at {page.Url} showing:\n{await SafeTextAsync(page)}", ex);
            }
            if (Environment.GetEnvironmentVariable("COMMUNITYAPP_FUZZ_TRACE") is { Length: > 0 } trace)
                File.AppendAllText(trace, $"{n + 1} {form.Name} {took.ElapsedMilliseconds} ms refused={outcome?.Refused} writes={outcome?.Writes} {outcome?.Inputs}\n");
            if (outcome is not null) outcomes.Add(outcome);
            var context = $"submission {n + 1}, form \"{form.Name}\" ({page.Url}), inputs {outcome?.Inputs} (COMMUNITYAPP_FUZZ_SEED={Fuzz.Seed})";
            problems.ShouldBeEmpty(context);
            App.Errors.ShouldBeEmpty($"the app logged an error after {context}");
            if (outcome is { Refused: true, Writes: not 0 }) throw new ShouldAssertException($"{context}: the page showed a refusal (\"{outcome.Refusal}\"), yet {outcome.Writes} rows were written");
            return outcome;
        }

        var submitted = outcomes.Count;
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{submitted} submissions of {forms.Length} forms in {clock.Elapsed.TotalSeconds:F0} s: {outcomes.Count(o => o.Refused)} refused, {outcomes.Count(o => !o.Refused)} accepted");
        submitted.ShouldBeGreaterThanOrEqualTo(tried * 9 / 10, "most submissions reached the app (a disabled button skips one)");
        foreach (var form in forms.Select(f => f.Form.Name).Take(Math.Min(forms.Length, (FullPass ?? forms.Length * RunLength) / RunLength)))
            outcomes.ShouldContain(o => o.Form == form, $"the form \"{form}\" was never submitted");
        outcomes.ShouldContain(o => o.Refused, "hostile input was refused somewhere");
        outcomes.ShouldContain(o => !o.Refused, "some input was accepted (the pass would prove little if every form refused everything)");
    }

    /// <summary>Fills every text field of the form with hostile values, submits it and reports what the page showed and how many rows were written.</summary>
    private async Task<Outcome?> SubmitAsync(IPage page, Form form, Values values, CancellationToken ct)
    {
        if (new Uri(page.Url).PathAndQuery != form.Url || await form.Submit(page).CountAsync() == 0)
        {
            await page.GotoAsync(form.Url);
            if (!form.Static) await page.WaitForInteractiveAsync();
        }
        var submit = form.Submit(page);
        // The fields that belong to the form: the nearest box around the button that holds text inputs.
        var box = submit.Locator("xpath=ancestor::*[.//input[not(@type='hidden')] or .//textarea][1]");
        // Text goes into text fields only: checkboxes and radio buttons (a share's period) keep their choice.
        var fields = box.Locator("input:not([type=hidden]):not([type=checkbox]):not([type=radio]):not([readonly]):not([disabled]), textarea:not([readonly]):not([disabled])");
        var inputs = new StringBuilder();
        var count = await fields.CountAsync();
        for (var i = 0; i < count; i++)
        {
            var field = fields.Nth(i);
            if (!await field.IsVisibleAsync()) continue;
            var numeric = await field.GetAttributeAsync("inputmode") is "numeric" or "decimal" || await field.GetAttributeAsync("type") == "number";
            var kind = await field.GetAttributeAsync("type");
            var value = numeric ? values.Number() : kind == "email" && values.Coin() ? values.Email() : values.Text();
            inputs.Append(CultureInfo.InvariantCulture, $"[{await LabelAsync(field)}] = {Fuzz.Describe(value)}; ");
            await field.FillAsync(value);
        }
        // Leaving the last field sends its change (a section's Save button enables once something in it changed).
        if (count > 0 && !form.Static)
        {
            await fields.Last.BlurAsync();
            await page.WaitForRenderAsync();
        }
        if (!await submit.IsEnabledAsync()) return null;

        await page.EvaluateAsync("() => document.querySelectorAll('.mud-snackbar').forEach(s => s.dataset.fuzzSeen = '1')");
        var before = await WriteCounter.WritesAsync(App.ConnectionString);
        if (form.Static)
        {
            var response = await page.RunAndWaitForResponseAsync(() => submit.ClickAsync(), r => r.Request.Method == "POST");
            await page.WaitForLoadStateAsync(LoadState.Load);
            // A person's browser submitted the form: the page again (200), a redirect (302), or the page that says the form
            // could not be read (400: a NUL, which ASP.NET Core refuses in any form value). Anything else is broken.
            var unreadable = response.Status == 400 && await page.GetByRole(AriaRole.Heading, new() { Name = "This form could not be sent" }).IsVisibleAsync();
            (response.Status is 200 or 302 || unreadable).ShouldBeTrue($"{form.Name} answered {response.Status} to the inputs {inputs}: {await SafeTextAsync(page)}");
        }
        else
        {
            var ended = App.ActionsEnded;
            await submit.ClickAsync();
            await Eventually.UntilAsync(() => App.ActionsEnded > ended, $"the action of {form.Name} ending");
            await page.WaitForRenderAsync();
        }
        if (await page.Locator("#blazor-error-ui").IsVisibleAsync()) throw new ShouldAssertException($"{form.Name}: Blazor's error bar is showing");
        if (await page.Locator("#components-reconnect-modal[open], #components-reconnect-modal.components-reconnect-show").CountAsync() > 0)
            throw new ShouldAssertException($"{form.Name}: the circuit was lost");
        // A field message of this form (another form on the page may still show its own), a new error snackbar or alert, or
        // the page that says a form could not be read.
        var shown = await box.Locator(".mud-input-error:visible, .validation-message:visible").AllInnerTextsAsync();
        var elsewhere = await page.Locator(".mud-snackbar:not([data-fuzz-seen]).mud-alert-filled-error:visible, .alert-error:visible, h1:text-is('This form could not be sent')")
            .AllInnerTextsAsync();
        var refusal = string.Join(" | ", shown.Concat(elsewhere).Where(t => t.Trim().Length > 0));
        var refused = shown.Count + elsewhere.Count > 0;
        var writes = await WriteCounter.WritesAsync(App.ConnectionString) - before;
        ct.ThrowIfCancellationRequested();
        return new Outcome(form.Name, inputs.ToString(), refused, writes, refusal);
    }

    private static async Task<string> SafeTextAsync(IPage page)
    {
        try
        {
            var text = await page.Locator("body").InnerTextAsync(new() { Timeout = 2000 });
            return text[..Math.Min(text.Length, 1500)];
        }
        catch (PlaywrightException)
        {
            return "(the page could not be read)";
        }
    }

    private static async Task<string> LabelAsync(ILocator field) =>
        await field.EvaluateAsync<string>("e => (e.labels?.[0]?.innerText || e.getAttribute('aria-label') || e.id || e.name || '?').trim()");

    /// <summary>Every page check the pass makes on its own, whatever it is doing: dialogs, 5xx answers, the error bar, a lost circuit.</summary>
    private static void Watch(IPage page, List<string> problems)
    {
        page.Dialog += async (_, dialog) =>
        {
            lock (problems) problems.Add($"a script dialog opened ({dialog.Type}: {dialog.Message})");
            await dialog.DismissAsync();
        };
        page.Response += (_, response) =>
        {
            if (response.Status >= 500) lock (problems) problems.Add($"HTTP {response.Status} from {response.Request.Method} {response.Url}");
        };
        page.PageError += (_, error) =>
        {
            lock (problems) problems.Add($"a script error in the page: {error}");
        };
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && message.Text.Contains("blazor", StringComparison.OrdinalIgnoreCase))
                lock (problems) problems.Add($"Blazor reported an error: {message.Text}");
        };
    }

    /// <summary>The admin's community with the member in it, one share of each, the member trusted enough to be requested from.</summary>
    private async Task<(Guid CommunityId, Guid AdminShare, Guid MemberShare, Guid PoolId)> SetUpAsync(string adminId, string memberId)
    {
        await using var scope = App.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var communityId = await services.GetRequiredService<CommunityService>().CreateAsync(adminId, new("Fuzz Lane", "Where hostile input lives."));
        var invites = services.GetRequiredService<InviteService>();
        var (_, secret) = await invites.CreateLinkAsync(adminId, communityId, new("Neighbours", MemberRole.Member, DateTime.UtcNow.AddDays(7), null));
        await invites.RedeemLinkAsync(memberId, secret);
        await services.GetRequiredService<TrustService>().SetAdminGrantAsync(adminId, communityId, memberId, 20);
        var shares = services.GetRequiredService<ShareService>();
        var adminShare = await shares.CreateAsync(adminId, communityId, new("Ladder", "Three metres.", WealthKind.Object, 3));
        var memberShare = await shares.CreateAsync(memberId, communityId, new("Bread maker", "Makes a loaf a day.", WealthKind.Object, 1000));
        var rice = await services.GetRequiredService<CatalogService>().AddItemAsync(adminId, communityId, "Rice (kg)", WealthKind.Object, null, null);
        var councilId = await services.GetRequiredService<CommunityApp.Features.Councils.CouncilService>()
            .CreateAsync(adminId, communityId, new("Food pantry", "Collects food and hands it to who needs it."));
        var poolId = await services.GetRequiredService<CommunityApp.Features.Pools.PoolService>().CreateAsync(adminId, councilId, new("Rice pool", "Rice for families.", [rice]));
        await using var db = await services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync();
        await db.Notifications.ExecuteDeleteAsync();
        // The app's background jobs write too (their claim on job_runs, then their work): the trust decay job first runs a
        // minute after start-up, and a pass that took longer than that (a loaded machine) counted its writes against the
        // refused submission it happened to overlap. Every job's slot is claimed for the day, as another instance holding
        // it would have it, so none of them runs during the pass and every counted row is a form's.
        var now = App.Services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime;
        foreach (var job in App.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>().OfType<CommunityApp.Data.Jobs.PeriodicJob>())
        {
            await db.Database.ExecuteSqlAsync($"""
                INSERT INTO job_runs (name, runs, failures, last_started_at, lease_until, owner) VALUES ({job.Name}, 0, 0, {now}, {now.AddDays(1)}, 'FormFuzzTests')
                ON CONFLICT (name) DO UPDATE SET last_started_at = EXCLUDED.last_started_at, lease_until = EXCLUDED.lease_until, owner = EXCLUDED.owner
                """);
        }
        return (communityId, adminShare, memberShare, poolId);
    }

    /// <summary>Hostile values drawn from the service fuzz generators, in a fixed order for a seed.</summary>
    private sealed class Values(ulong seed)
    {
        private static readonly string[] OddNumbers =
        [
            "", " ", "abc", "1e5", "1.5", "-0", "+5", " 7 ", "٣", "0x1F", "99999999999999999999", "-99999999999999999999", "2147483648",
            "-2147483649", "NaN", "Infinity", "1,000", "½", "5\0", "\u202e5",
        ];

        private readonly Queue<string> texts = new(Hostile.Strings(3, 30, 100, 200, 1000, 2000).Sample(50, new Rnd(seed), 4000)
            .Select(s => s ?? "").Where(s => s.Length <= MaxTypedLength));
        private readonly Queue<string> numbers = new(Gen.Frequency(
                (3, Hostile.Ints(1, 7, 30, 100, 365, 1000, 10_000).Select(i => i.ToString(CultureInfo.InvariantCulture))),
                (1, Gen.Elements(OddNumbers)))
            .Sample(50, new Rnd(seed ^ 0x5eed), 4000));
        private readonly Random coin = new((int)(seed % int.MaxValue));

        public string Text() => Next(texts);

        public string Number() => Next(numbers);

        public string Email() => Next(texts) + "@example.test";

        public bool Coin() => coin.Next(2) == 0;

        private static string Next(Queue<string> queue)
        {
            var value = queue.Dequeue();
            queue.Enqueue(value);
            return value;
        }
    }
}
