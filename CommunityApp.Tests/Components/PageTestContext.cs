using System.Security.Claims;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using MudBlazor.Services;
using CommunityApp.Data;
using CommunityApp.Features;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Components;

/// <summary>
/// bUnit set up as docs/ARCHITECTURE.md says (loose JS interop, MudBlazor services, English resources),
/// with the real feature services on a SQLite database and a signed-in user.
/// </summary>
public static class PageTestContext
{
    public static BunitContext Create(ServiceFixture data, string userId)
    {
        var context = new BunitContext();
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        context.Services.AddMudServices();
        context.Services.AddTransient<MudBlazor.MudLocalizer, CommunityApp.Components.Shared.AppMudLocalizer>();
        context.Services.AddLocalization();
        // The real feature services, over the fixture's database.
        context.Services.AddSingleton(data.Get<IDbContextFactory<AppDbContext>>());
        context.Services.AddSingleton(TimeProvider.System);
        context.Services.AddSingleton<ILookupNormalizer, UpperInvariantLookupNormalizer>();
        context.Services.AddSingleton(data.Get<CommunityApp.Auth.IMailSender>());
        context.Services.AddFeatures();
        var auth = context.AddAuthorization();
        auth.SetAuthorized(userId);
        auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, userId));
        System.Globalization.CultureInfo.CurrentUICulture = new("en");
        // Pages ask whether they are prerendering (to answer 403/404); bUnit renders them as the interactive circuit does.
        context.Renderer.SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", isInteractive: true));
        return context;
    }
}
