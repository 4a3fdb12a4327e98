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
