using System.Security.Claims;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using CommunityApp.Auth;
using CommunityApp.Features.Audit;
using CommunityApp.Features.Communities;
using CommunityApp.Features.Invites;
using CommunityApp.Features.Members;
using CommunityApp.Features.Settings;
using CommunityApp.Features.Profile;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Components;

/// <summary>
/// bUnit set up as ARCHITECTURE.md says (loose JS interop, MudBlazor services, English resources),
/// with the real feature services on a SQLite database and a signed-in user.
/// </summary>
public static class PageTestContext
{
    public static BunitContext Create(ServiceFixture data, string userId)
    {
        var context = new BunitContext();
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        context.Services.AddMudServices();
        context.Services.AddLocalization();
        // The real feature services, over the fixture's database.
        context.Services.AddSingleton(data.Get<CommunityService>());
        context.Services.AddSingleton(data.Get<ProfileService>());
        context.Services.AddSingleton(data.Get<PermissionService>());
        context.Services.AddSingleton(data.Get<MemberService>());
        context.Services.AddSingleton(data.Get<SettingsService>());
        context.Services.AddSingleton(data.Get<InviteService>());
        context.Services.AddSingleton(data.Get<AuditService>());
        var auth = context.AddAuthorization();
        auth.SetAuthorized(userId);
        auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, userId));
        System.Globalization.CultureInfo.CurrentUICulture = new("en");
        return context;
    }
}
