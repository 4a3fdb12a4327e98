using CommunityApp.Components.Pages;
using Microsoft.Extensions.Options;
using CommunityApp.Auth;
using CommunityApp.Components;
using CommunityApp.Data;
using CommunityApp.Features;
using CommunityApp.Features.Demo;

WebApplication? app = null;
try
{
    var builder = WebApplication.CreateBuilder(args);

    builder.AddData();
    builder.AddTelemetry();
    builder.AddProxySupport();
    builder.AddSecurityHeaders();
    builder.AddAuth();
    builder.AddThrottling();
    builder.AddAppLocalization();
    builder.Services.AddFeatures();
    builder.Services.AddAppMudServices();
    builder.Services.AddTransient<MudBlazor.MudLocalizer, CommunityApp.Components.Shared.AppMudLocalizer>();
    // SignalR's default 32 KB message drops the circuit on a long text, and the change event carries a field's value twice
    // (the event's field info and its arguments). 128 KB carries every field up to its service limit (the longest is 4000
    // characters, at most 48 KB even if every character had to be escaped), so over-long text reaches the service and
    // gets its field message instead of a dropped connection.
    builder.Services.AddRazorComponents().AddInteractiveServerComponents()
        .AddHubOptions(hub => hub.MaximumReceiveMessageSize = CircuitLimits.MaximumReceiveMessageSize);

    app = builder.Build();

    await app.PrepareDatabaseAsync();
    await app.SeedDemoAsync();

    app.UseProxySupport();
    app.UseSecurityHeaders();
    if (!app.Environment.IsDevelopment())
    {
        app.UseExceptionHandler("/Error", createScopeForErrors: true);
    }
    app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
    app.UseRequestLocalization();
    app.UseThrottling();
    app.UseUnreadableFormPage();
    app.UseAuthentication();
    app.UseAuthorization();
    app.UseAntiforgery();

    app.MapStaticAssets();
    await app.MapThemeStylesheetAsync();
    app.MapProbes();
    app.MapBenchDiagnostics();
    app.MapAccountEndpoints();
    CommunityApp.Features.Wealth.ShareImages.MapShareImages(app);
    CommunityApp.Features.Councils.CouncilReportService.MapReportImages(app);
    CommunityApp.Features.Disputes.DisputeImageEndpoint.MapDisputeImages(app);
    CommunityApp.Features.Polls.PollsFeature.MapPollResults(app);
    CommunityApp.Features.Health.HealthFeature.MapHealthCsv(app);
    CommunityApp.Features.Insight.InsightFeature.MapExports(app);
    app.MapRazorComponents<App>().AddInteractiveServerRenderMode();

    app.Lifetime.ApplicationStarted.Register(() =>
        app.Logger.LogInformation("CommunityApp is running at {Urls}; links in mail point at {PublicBaseUrl}",
            string.Join(", ", app.Urls), app.Services.GetRequiredService<PublicUrls>().Base));

    await app.StartAsync();
}
// Run as its own process, a start-up failure is one line and exit code 1 (not an unhandled-exception abort, 134, with a
// stack trace). Hosted by the tests' WebApplicationFactory the exception goes on to the test.
catch (Exception ex) when (System.Reflection.Assembly.GetEntryAssembly() == typeof(Program).Assembly)
{
    if (app is not null)
    {
        try { await app.DisposeAsync(); } catch (Exception) { /* already failing; the line below is the report */ }
    }
    // Configuration failures carry their whole story (cause, setting); anything else keeps its stack for the bug report.
    var known = ex is InvalidOperationException or OptionsValidationException;
    await Console.Error.WriteLineAsync("CommunityApp could not start: " +
        (known ? string.Join(' ', ex.Message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries)) : ex.ToString()));
    return 1;
}

await app.WaitForShutdownAsync();
await app.DisposeAsync();
return 0;

/// <summary>Entry point, visible to the tests' WebApplicationFactory.</summary>
public partial class Program;

/// <summary>How much one message from the browser to its circuit may carry (docs/ARCHITECTURE.md, UI and text).</summary>
public static class CircuitLimits
{
    public const long MaximumReceiveMessageSize = 128 * 1024;
}
