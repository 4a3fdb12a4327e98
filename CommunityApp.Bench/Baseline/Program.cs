using BlazorBaseline.Components;
using MudBlazor.Services;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddMudServices();
builder.Services.AddRazorComponents().AddInteractiveServerComponents();

var app = builder.Build();

if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler("/Error", createScopeForErrors: true);
}
app.UseAntiforgery();

app.MapStaticAssets();
// The benchmark's one addition, as in CommunityApp (Components/BenchDiagnostics.cs): the live heap after a full GC.
if (app.Configuration.GetValue<bool>("Bench:Diagnostics"))
{
    app.MapGet("/_bench/heap", () =>
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        return Results.Json(new { heap = GC.GetTotalMemory(forceFullCollection: true) });
    });
}
app.MapRazorComponents<App>().AddInteractiveServerRenderMode();

app.Run();
