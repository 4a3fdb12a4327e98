using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using CommunityApp.Data;

namespace CommunityApp.Auth;

/// <summary>The HTTP endpoints sign-in needs besides the account pages: OIDC challenge, sign-out, culture switch.</summary>
public static class AccountEndpoints
{
    public static void MapAccountEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var account = endpoints.MapGroup("/Account");

        // GET challenge: the browser is sent to the identity provider and comes back signed in.
        account.MapGet("/Login/Oidc", (string? returnUrl, OidcOptions oidc) =>
            oidc.Enabled
                ? Results.Challenge(new AuthenticationProperties { RedirectUri = LocalUrl(returnUrl) }, [AuthSetup.OidcScheme])
                : Results.NotFound());

        // POST with antiforgery: signs out of our cookie and, for provider sessions, of the provider too.
        account.MapPost("/Logout", async (HttpContext context, SignInManager<ApplicationUser> signIn, OidcOptions oidc, [FromForm] string? returnUrl) =>
        {
            var target = LocalUrl(returnUrl);
            if (oidc.Enabled && await context.GetTokenAsync(IdentityConstants.ApplicationScheme, "id_token") is not null)
            {
                await signIn.SignOutAsync();
                return Results.SignOut(new AuthenticationProperties { RedirectUri = target }, [AuthSetup.OidcScheme]);
            }
            await signIn.SignOutAsync();
            return Results.LocalRedirect(target);
        });

        endpoints.MapGet("/culture", (string culture, string? returnUrl, HttpContext context) =>
        {
            if (Localization.SupportedCultures.Contains(culture))
            {
                context.Response.Cookies.Append(
                    Microsoft.AspNetCore.Localization.CookieRequestCultureProvider.DefaultCookieName,
                    Microsoft.AspNetCore.Localization.CookieRequestCultureProvider.MakeCookieValue(new(culture)),
                    new CookieOptions { MaxAge = TimeSpan.FromDays(365), SameSite = SameSiteMode.Lax, HttpOnly = true, IsEssential = true });
            }
            return Results.LocalRedirect(LocalUrl(returnUrl));
        });
    }

    /// <summary>
    /// Only same-site paths are followed after sign-in, sign-out or a culture switch (no open redirects); anything else is "/".
    /// </summary>
    public static string LocalUrl(string? url) => IsLocalPath(url) ? url! : "/";

    /// <summary>
    /// <c>Url.IsLocalUrl</c>'s rule without its <c>~/</c> form: a path from the site's root ("/" then neither "/" nor a backslash),
    /// with no control character anywhere (a TAB, CR or LF would let a browser read it as another site, or break the Location header).
    /// </summary>
    public static bool IsLocalPath(string? url) =>
        !string.IsNullOrEmpty(url)
        && url[0] == '/'
        && (url.Length == 1 || (url[1] != '/' && url[1] != '\\'))
        && !url.AsSpan().ContainsAnyInRange('\u0000', '\u001F')
        && !url.AsSpan().ContainsAnyInRange('\u007F', '\u009F');
}
