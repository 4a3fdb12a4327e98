using Microsoft.Playwright;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Browser;

/// <summary>The 429 page a person meets after too many sign-in attempts: readable, accessible, on a desktop and a phone.</summary>
public sealed class TooManyRequestsPageTests(BrowserFixture browser) : BrowserTest(browser)
{
    public override async ValueTask InitializeAsync()
    {
        App.Settings["RateLimits:AccountFormsPerMinute"] = "2";
        await base.InitializeAsync();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_third_sign_in_within_a_minute_meets_a_page_that_says_how_long_to_wait(bool phone)
    {
        await using var context = await Browser.NewContextAsync(BaseUrl, phone);
        var page = await context.NewPageAsync();
        // Each theory case is its own app (and so its own limiter): three posts, the third refused.
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            await page.GotoAsync("/Account/Login");
            await page.GetByLabel("E-mail or username").FillAsync("nobody");
            await page.GetByLabel("Password").FillAsync("Wrong-pass-1");
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
            if (attempt < 3) await Expect(page.GetByText("That e-mail/username and password do not match.")).ToBeVisibleAsync();
        }

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Too many attempts" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Wait ");
        await page.CheckPageAsync(phone ? "12-too-many-requests-phone" : "12-too-many-requests");
    }
}
