using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection.Extensions;
using CommunityApp.Data;

namespace CommunityApp.Auth;

/// <summary>Settings under <c>Authentication:Oidc:</c>. OIDC sign-in is on when <see cref="Authority"/> is set.</summary>
public sealed class OidcOptions
{
    public string? Authority { get; set; }
    /// <summary>Optional: where the app itself fetches the discovery document (e.g. the container name inside docker compose).</summary>
    public string? MetadataAddress { get; set; }
    public string ClientId { get; set; } = "";
    public string? ClientSecret { get; set; }
    public string DisplayName { get; set; } = "Single sign-on";
    public bool RequireHttpsMetadata { get; set; } = true;

    public bool Enabled => !string.IsNullOrWhiteSpace(Authority);
}

public static class AuthSetup
{
    public const string OidcScheme = OpenIdConnectDefaults.AuthenticationScheme;

    /// <summary>Local accounts through ASP.NET Core Identity, plus OpenID Connect when configured. Both end in Identity's cookie.</summary>
    public static void AddAuth(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var oidc = builder.Configuration.GetSection("Authentication:Oidc").Get<OidcOptions>() ?? new();
        services.AddSingleton(oidc);

        services.AddCascadingAuthenticationState();
        services.AddScoped<IdentityRedirectManager>();
        services.AddScoped<AuthenticationStateProvider, IdentityRevalidatingAuthenticationStateProvider>();

        var authentication = services.AddAuthentication(options =>
        {
            options.DefaultScheme = IdentityConstants.ApplicationScheme;
            options.DefaultSignInScheme = IdentityConstants.ExternalScheme;
        });
        authentication.AddIdentityCookies();

        services.AddIdentityCore<ApplicationUser>(options =>
            {
                IdentityModel.UseSchemaVersion(options);
                options.SignIn.RequireConfirmedAccount = false;
                // A local account signs in once its e-mail is confirmed by mail (docs/SPEC.md §15); without mail it cannot be.
                options.SignIn.RequireConfirmedEmail = EmailSetup.ChooseMode(builder.Configuration, builder.Environment) != MailMode.Disabled;
                options.User.RequireUniqueEmail = true;
                options.Password.RequiredLength = 8;
                options.Password.RequireNonAlphanumeric = false;
                // Wrong passwords lock out per account and address (SignInThrottle), not the account for everyone.
            })
            .AddEntityFrameworkStores<AppDbContext>()
            .AddSignInManager()
            .AddDefaultTokenProviders()
            .AddErrorDescriber<Features.Account.LocalizedIdentityErrorDescriber>();
        // A provider user whose e-mail is not verified has none (docs/SPEC.md §15); every e-mail that is set stays unique.
        services.Replace(ServiceDescriptor.Scoped<IUserValidator<ApplicationUser>, UserWithOptionalEmailValidator>());

        services.ConfigureApplicationCookie(cookie =>
        {
            cookie.LoginPath = "/Account/Login";
            cookie.AccessDeniedPath = "/Account/Login";
            cookie.Events.OnValidatePrincipal = SecurityStampCheck.ValidateWhenDueAsync;
        });

        // Password-reset and invite mails: SMTP, or the log in Development, or off (Email:Enabled=false); their links on App:PublicBaseUrl.
        builder.AddEmail();
        builder.AddPublicUrls();
        services.AddScoped<OidcUserSync>();

        if (oidc.Enabled)
        {
            authentication.AddOpenIdConnect(OidcScheme, oidc.DisplayName, options =>
            {
                options.Authority = oidc.Authority;
                if (!string.IsNullOrWhiteSpace(oidc.MetadataAddress)) options.MetadataAddress = oidc.MetadataAddress;
                options.ClientId = oidc.ClientId;
                options.ClientSecret = oidc.ClientSecret;
                options.RequireHttpsMetadata = oidc.RequireHttpsMetadata;
                options.ResponseType = "code";
                // Query response mode lets the correlation cookies be SameSite=Lax, which also works on plain-http development hosts.
                options.ResponseMode = "query";
                options.CorrelationCookie.SameSite = SameSiteMode.Lax;
                options.NonceCookie.SameSite = SameSiteMode.Lax;
                options.Scope.Clear();
                foreach (var scope in new[] { "openid", "profile", "email" }) options.Scope.Add(scope);
                options.MapInboundClaims = false;
                options.GetClaimsFromUserInfoEndpoint = true;
                options.TokenValidationParameters.NameClaimType = "name";
                options.TokenValidationParameters.RoleClaimType = "roles";
                // The id_token is kept for the provider's end-session call on sign-out.
                options.SaveTokens = true;
                options.SignOutScheme = IdentityConstants.ApplicationScheme;
                // The provider's user lands in our user table and in Identity's cookie, so the rest of the app sees one kind of user.
                options.Events.OnTicketReceived = context => context.HttpContext.RequestServices.GetRequiredService<OidcUserSync>().SignInAsync(context);
                // A failed callback (the user cancelled, the provider answered with an error) lands on the login page with a message, not an error page.
                options.Events.OnRemoteFailure = context =>
                {
                    context.HttpContext.RequestServices.GetRequiredService<ILogger<OidcUserSync>>()
                        .LogWarning(context.Failure, "OIDC sign-in failed at the callback");
                    context.HandleResponse();
                    context.Response.Redirect($"/Account/Login?error={OidcSignInRefusedException.Failed}");
                    return Task.CompletedTask;
                };
            });
        }

        services.AddAuthorization();
    }
}
