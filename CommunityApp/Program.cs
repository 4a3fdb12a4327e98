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
builder.AddThrottling();
builder.AddAppLocalization();
builder.Services.AddFeatures();
builder.Services.AddMudServices();
builder.Services.AddRazorComponents().AddInteractiveServerComponents();

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
app.UseThrottling();
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
