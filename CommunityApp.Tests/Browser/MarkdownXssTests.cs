using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using CommunityApp.Data;
using CommunityApp.Features.Communities;
using CommunityApp.Features.Councils;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Browser;

/// <summary>
/// Issue #11 in a real browser (docs/SPEC.md §10: no script ever runs from user content): hostile markdown saved as an
/// initiative's description and typed as a progress report is shown as text on the initiative page; no dialog opens, no
/// payload's script runs (<c>window.__xss</c> and the title stay as they were), and no link carries a scripting address.
/// </summary>
public sealed class MarkdownXssTests(BrowserFixture browser) : BrowserTest(browser)
{
    private const string Description = """
        Plan <img src=x onerror="window.__xss='img';alert('img')"> and [click me](javascript:window.__xss='link')

        <svg onload="document.title='pwned-svg'"></svg> <script>window.__xss='script'</script>

        [ref link][r] and <details open ontoggle="window.__xss='details'">

        [r]: &#106;avascript:alert('ref')
        """;

    private const string Progress = """
        [![pic](javascript:alert('img-link'))](javascript:alert('outer')) <a href="jav&#x09;ascript:alert('tab')">tab link</a>

        <math><mtext><table><mglyph><style><img src=x onerror="window.__xss='math'"></style></mglyph></table></mtext></math>

        [vb](vbscript:msgbox(1)) [data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==) <iframe srcdoc="<script>parent.__xss='iframe'</script>"></iframe>
        """;

    [Fact]
    public async Task Hostile_markdown_shows_as_text_and_runs_nothing()
    {
        await using var context = await NewContextAsync();
        var page = await context.NewPageAsync();
        var dialogs = new List<string>();
        page.Dialog += async (_, dialog) =>
        {
            lock (dialogs) dialogs.Add(dialog.Message);
            await dialog.DismissAsync();
        };
        await SignUpAsync(page, "rosa", "Rosa Admin");
        var (communityId, councilId, initiativeId) = await SetUpAsync("rosa");

        await page.OpenAsync(CommunityApp.Components.CommunityUrls.For(communityId).Initiative(councilId, initiativeId));
        var description = page.Locator(".markdown-body").First;
        await Expect(description).ToContainTextAsync("<img src=x onerror=");
        await Expect(description).ToContainTextAsync("<svg onload=");
        await Expect(description).ToContainTextAsync("<script>window.__xss='script'</script>");
        await Expect(description).ToContainTextAsync("click me");
        var title = await page.TitleAsync();

        await page.GetByLabel("Progress report").FillAsync(Progress);
        await page.GetByRole(AriaRole.Button, new() { Name = "Add progress report" }).ClickAsync();
        var progress = page.GetByTestId("progress").Locator(".markdown-body");
        await Expect(progress).ToContainTextAsync("<math><mtext>");
        await Expect(progress).ToContainTextAsync("tab link");

        foreach (var body in await page.Locator(".markdown-body").AllAsync())
        {
            (await body.Locator("script, svg, math, iframe, img, details, style").CountAsync()).ShouldBe(0);
            foreach (var link in await body.Locator("a").AllAsync())
            {
                var href = await link.GetAttributeAsync("href") ?? "";
                href.ShouldStartWith("http", Case.Insensitive);
                (await link.GetAttributeAsync("rel")).ShouldBe("nofollow noopener ugc");
            }
        }
        // Clicking the words of a refused link does nothing either.
        await page.GetByText("click me").ClickAsync();
        await page.GetByText("tab link").ClickAsync();
        await page.WaitForRenderAsync();

        (await page.EvaluateAsync<string?>("() => window.__xss === undefined ? null : String(window.__xss)")).ShouldBeNull();
        (await page.TitleAsync()).ShouldBe(title);
        lock (dialogs) dialogs.ShouldBeEmpty();
        page.Url.ShouldContain($"/initiatives/{initiativeId}");
        await page.CheckPageAsync("74-markdown-xss");
    }

    private async Task<(Guid CommunityId, Guid CouncilId, Guid InitiativeId)> SetUpAsync(string adminName)
    {
        await using var scope = App.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        await using var db = await services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync();
        var adminId = await db.Users.Where(u => u.UserName == adminName).Select(u => u.Id).SingleAsync();
        var communityId = await services.GetRequiredService<CommunityService>().CreateAsync(adminId, new("River Commons", null));
        var councilId = await services.GetRequiredService<CouncilService>().CreateAsync(adminId, communityId, new CouncilInput("Food pantry", "Collects food."));
        var initiativeId = await services.GetRequiredService<InitiativeService>().CreateAsync(adminId, councilId, new InitiativeInput("Community fridge", Description));
        return (communityId, councilId, initiativeId);
    }
}
