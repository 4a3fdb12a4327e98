using System.Text.RegularExpressions;
using Microsoft.AspNetCore.CookiePolicy;

namespace CommunityApp.Auth;

/// <summary>
/// The security headers on every answer (pages, static files, /health, errors, redirects), HSTS outside Development,
/// and Secure cookies outside Development (the forwarded proto from <see cref="ProxySetup"/> makes that work behind a proxy).
/// </summary>
public static partial class SecurityHeaders
{
    /// <summary>
    /// Blazor Server and MudBlazor without inline script: scripts only from the app; inline styles for MudBlazor's style
    /// attributes and theme; the circuit's websocket on this origin; pictures from the app or data:/blob: URLs; no
    /// framing; forms post here, and to the OIDC provider when sign-in goes through one (sign-out posts, then redirects there).
    /// </summary>
    public static string ContentSecurityPolicy(HttpRequest request, string formAction)
    {
        // The circuit's websocket on this very origin ('self' covers it in current browsers; the explicit origin for older ones).
        var websocket = ValidHost().IsMatch(request.Host.Value ?? "") ? $" {(request.IsHttps ? "wss" : "ws")}://{request.Host.Value}" : "";
        return "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; " +
               $"connect-src 'self'{websocket}; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action {formAction}";
    }

    public const string PermissionsPolicy =
        "accelerometer=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), hid=(), magnetometer=(), microphone=(), midi=(), payment=(), serial=(), usb=()";

    public static void AddSecurityHeaders(this WebApplicationBuilder builder)
    {
        var development = builder.Environment.IsDevelopment();
        // Every cookie the app sets (sign-in, antiforgery, culture) is Secure outside Development.
        builder.Services.Configure<CookiePolicyOptions>(options => options.Secure = development ? CookieSecurePolicy.None : CookieSecurePolicy.Always);
    }

    /// <summary>Right after the forwarded headers, so the headers go on every answer and see the request's real scheme.</summary>
    public static void UseSecurityHeaders(this WebApplication app)
    {
        var oidc = app.Services.GetRequiredService<OidcOptions>();
        var formAction = oidc.Enabled && Uri.TryCreate(oidc.Authority, UriKind.Absolute, out var authority)
            ? $"'self' {authority.GetLeftPart(UriPartial.Authority)}"
            : "'self'";
        app.Use((context, next) =>
        {
            // Set as the answer starts, so error pages and re-executed status pages carry them too.
            context.Response.OnStarting(() =>
            {
                var headers = context.Response.Headers;
                headers.ContentSecurityPolicy = ContentSecurityPolicy(context.Request, formAction);
                headers.XContentTypeOptions = "nosniff";
                headers.XFrameOptions = "DENY";
                headers["Referrer-Policy"] = "same-origin";
                headers["Permissions-Policy"] = PermissionsPolicy;
                return Task.CompletedTask;
            });
            return next(context);
        });
        if (!app.Environment.IsDevelopment()) app.UseHsts();
        app.UseCookiePolicy();
    }

    [GeneratedRegex(@"^[A-Za-z0-9.\-\[\]:]+$")]
    private static partial Regex ValidHost();
}
