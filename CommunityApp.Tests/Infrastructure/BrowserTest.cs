using Microsoft.Playwright;

namespace CommunityApp.Tests.Infrastructure;

/// <summary>A browser test class: the real app on Kestrel over its own PostgreSQL database, and the shared Chromium.</summary>
public abstract class BrowserTest(BrowserFixture browser) : IAsyncLifetime
{
    protected AppFactory App { get; } = new();
    protected string BaseUrl { get; private set; } = "";
    protected BrowserFixture Browser => browser;

    public virtual async ValueTask InitializeAsync()
    {
        await App.InitializeAsync();
        BaseUrl = App.StartKestrel();
    }

    /// <summary>Stops the app, then fails the test if any browser context it opened saw a Content-Security-Policy refusal.</summary>
    public virtual async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        GC.SuppressFinalize(this);
        if (BaseUrl.Length > 0) BrowserFixture.ShouldHaveNoCspViolations(BaseUrl);
    }

    protected Task<IBrowserContext> NewContextAsync() => browser.NewContextAsync(BaseUrl);

    protected static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);
    protected static IPageAssertions Expect(IPage page) => Assertions.Expect(page);
}
