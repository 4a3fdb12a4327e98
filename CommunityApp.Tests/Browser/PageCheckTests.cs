using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Browser;

/// <summary>The page check every browser test relies on finds what it should: otherwise every clean scan proves nothing.</summary>
public sealed class PageCheckTests(BrowserFixture browser)
{
    [Fact]
    public async Task The_axe_scan_fails_on_a_violation_and_names_the_rule_and_the_element()
    {
        await using var context = await browser.NewContextAsync("http://127.0.0.1/");
        var page = await context.NewPageAsync();
        await page.SetContentAsync("""<html lang="en"><head><title>t</title></head><body><main><h1>Scan</h1><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="></main></body></html>""");

        var failure = await FailureOfAsync(() => page.CheckPageAsync("00-axe-self-check"));

        failure.Message.ShouldContain("image-alt (critical)");
        failure.Message.ShouldContain("<img src=\"data:image/gif");
    }

    [Fact]
    public async Task The_axe_scan_runs_the_rules_axe_leaves_off_by_default()
    {
        await using var context = await browser.NewContextAsync("http://127.0.0.1/");
        var page = await context.NewPageAsync();
        // Passes the default rules; fails the AAA contrast rule (7:1), which is off unless asked for: #767676 on white is 4.5:1.
        await page.SetContentAsync("""<html lang="en"><head><title>t</title></head><body><main><h1>Scan</h1><p style="color:#767676">Grey text</p></main></body></html>""");

        var failure = await FailureOfAsync(() => page.CheckPageAsync("00-axe-aaa-check"));

        failure.Message.ShouldContain("color-contrast-enhanced");
    }

    [Fact]
    public async Task A_script_the_Content_Security_Policy_refuses_fails_the_page_check_and_the_test()
    {
        const string origin = "http://csp-self-check.test";
        await using var context = await browser.NewContextAsync(origin);
        await context.RouteAsync($"{origin}/**", route => route.FulfillAsync(new()
        {
            Status = 200,
            ContentType = "text/html",
            Headers = new Dictionary<string, string> { ["Content-Security-Policy"] = "script-src 'self'" },
            Body = """<html lang="en"><head><title>Before</title></head><body><main><h1>CSP</h1><script>document.title = "ran";</script></main></body></html>""",
        }));
        var page = await context.NewPageAsync();
        await page.GotoAsync("/");

        var failure = await FailureOfAsync(() => page.CheckPageAsync("00-csp-self-check"));
        var atTheEnd = await FailureOfAsync(() => Task.Run(() => BrowserFixture.ShouldHaveNoCspViolations(origin)));

        (await page.TitleAsync()).ShouldBe("Before", "the browser refused the inline script");
        failure.Message.ShouldContain("Content-Security-Policy violations by 00-csp-self-check");
        failure.Message.ShouldContain("script-src 'self'");
        atTheEnd.Message.ShouldContain($"Content-Security-Policy violations on {origin}");
    }

    // Shouldly rethrows its own assertion failures from Should.Throw, so the check's failure is caught by hand.
    private static async Task<Exception> FailureOfAsync(Func<Task> check)
    {
        try
        {
            await check();
        }
        catch (ShouldAssertException ex)
        {
            return ex;
        }
        throw new Xunit.Sdk.XunitException("The page check passed a page with a violation.");
    }
}
