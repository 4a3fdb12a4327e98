using CommunityApp.Resources;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using CommunityApp.Data;

namespace CommunityApp.Auth;

/// <summary>
/// Creates or updates the user row from the provider's token on every OIDC sign-in (docs/SPEC.md §15):
/// id = <c>sub</c>, display name = <c>name</c>, email = <c>email</c>. Then signs in with Identity's cookie.
/// </summary>
public sealed class OidcUserSync(UserManager<ApplicationUser> users, SignInManager<ApplicationUser> signIn, ILogger<OidcUserSync> logger)
{
    public async Task SignInAsync(TicketReceivedContext context)
    {
        var principal = context.Principal ?? throw new InvalidOperationException(Text.Get("Error.OidcNoUser"));
        var sub = principal.FindFirstValue("sub") ?? throw new InvalidOperationException(Text.Get("Error.OidcNoSub"));
        var user = await UpsertAsync(sub, principal.FindFirstValue("name"), principal.FindFirstValue("email"), principal.FindFirstValue("preferred_username"));

        var appPrincipal = await signIn.CreateUserPrincipalAsync(user);
        // The provider's id_token stays with the session: sign-out sends it to the provider's end-session endpoint.
        var properties = new AuthenticationProperties { IsPersistent = false };
        properties.StoreTokens(context.Properties?.GetTokens().Where(t => t.Name == "id_token") ?? []);

        await context.HttpContext.SignInAsync(IdentityConstants.ApplicationScheme, appPrincipal, properties);
        context.HandleResponse();
        context.Response.Redirect(context.ReturnUri is { } r && IsLocal(r) ? r : "/");
    }

    public async Task<ApplicationUser> UpsertAsync(string sub, string? name, string? email, string? preferredUsername)
    {
        var user = await users.FindByIdAsync(sub);
        if (user is null)
        {
            user = new ApplicationUser(sub)
            {
                UserName = await FreeUserNameAsync(preferredUsername ?? email?.Split('@')[0] ?? "user"),
                Email = email,
                EmailConfirmed = email is not null,
                DisplayName = name ?? preferredUsername ?? email ?? sub,
            };
            Check(await users.CreateAsync(user));
            logger.LogInformation("Created user {UserId} from the identity provider", sub);
            return user;
        }

        if (name is not null) user.DisplayName = name;
        if (email is not null && email != user.Email)
        {
            user.Email = email;
            user.EmailConfirmed = true;
        }
        Check(await users.UpdateAsync(user));
        return user;
    }

    private async Task<string> FreeUserNameAsync(string wanted)
    {
        var candidate = new string(wanted.Where(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.').ToArray());
        if (candidate.Length == 0) candidate = "user";
        var name = candidate;
        for (var n = 2; await users.FindByNameAsync(name) is not null; n++) name = $"{candidate}{n}";
        return name;
    }

    private static void Check(IdentityResult result)
    {
        if (!result.Succeeded) throw new InvalidOperationException(string.Join(" ", result.Errors.Select(e => e.Description)));
    }

    private static bool IsLocal(string url) => url.StartsWith('/') && !url.StartsWith("//") && !url.StartsWith("/\\");
}

public static class AuthClaims
{
    /// <summary>The signed-in user's id (Identity puts it in NameIdentifier).</summary>
    public static string? GetUserId(this ClaimsPrincipal principal) => principal.FindFirstValue(ClaimTypes.NameIdentifier);
}
