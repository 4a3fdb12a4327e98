using MudBlazor.Services;
using CommunityApp.Auth;
using CommunityApp.Components;
using CommunityApp.Data;
using CommunityApp.Features;
using CommunityApp.Features.Demo;

var builder = WebApplication.CreateBuilder(args);

builder.AddData();
builder.AddProxySupport();
builder.AddSecurityHeaders();
builder.AddAuth();
builder.AddAppLocalization();
builder.Services.AddFeatures();
builder.Services.AddMudServices();
// SignalR's default 32 KB message drops the circuit on a long text, and the change event carries a field's value twice
// (the event's field info and its arguments). 128 KB carries every field up to its service limit (the longest is 4000
// characters, at most 48 KB even if every character had to be escaped) and ordinary text far beyond it, so over-long text
// reaches the service and gets its field message instead of a dropped connection.
builder.Services.AddRazorComponents().AddInteractiveServerComponents()
    .AddHubOptions(hub => hub.MaximumReceiveMessageSize = CircuitLimits.MaximumReceiveMessageSize);

var app = builder.Build();

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
app.UseAuthentication();
app.UseAuthorization();
app.UseAntiforgery();

app.MapStaticAssets();
app.MapHealthChecks("/health");
app.MapAccountEndpoints();
CommunityApp.Features.Wealth.ShareImages.MapShareImages(app);
app.MapRazorComponents<App>().AddInteractiveServerRenderMode();

app.Lifetime.ApplicationStarted.Register(() =>
    app.Logger.LogInformation("CommunityApp is running at {Urls}; links in mail point at {PublicBaseUrl}",
        string.Join(", ", app.Urls), app.Services.GetRequiredService<PublicUrls>().Base));

app.Run();

/// <summary>Entry point, visible to the tests' WebApplicationFactory.</summary>
public partial class Program;

/// <summary>How much one message from the browser to its circuit may carry (docs/ARCHITECTURE.md, UI and text).</summary>
public static class CircuitLimits
{
    public const long MaximumReceiveMessageSize = 128 * 1024;
}
