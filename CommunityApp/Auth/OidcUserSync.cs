using CommunityApp.Resources;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using CommunityApp.Data;

namespace CommunityApp.Auth;

/// <summary>What the provider's token says about the person signing in.</summary>
public sealed record OidcClaims(string Sub, string? Name, string? Email, bool EmailVerified, string? PreferredUsername)
{
    /// <summary>Reads the claims the app uses; <c>email_verified</c> counts only when it is <c>true</c> (a JSON boolean or the string "true").</summary>
    public static OidcClaims From(ClaimsPrincipal principal, string sub) => new(
        sub,
        principal.FindFirstValue("name"),
        principal.FindFirstValue("email"),
        string.Equals(principal.FindFirstValue("email_verified"), "true", StringComparison.OrdinalIgnoreCase),
        principal.FindFirstValue("preferred_username"));
}

/// <summary>
/// An OIDC sign-in the app will not complete. <see cref="Code"/> is the fixed key the login page maps to its text
/// (<c>/Account/Login?error=…</c>); the message is for the log and the caller.
/// </summary>
public sealed class OidcSignInRefusedException(string code, string message) : AppException(message)
{
    public const string EmailTaken = "oidc-email-taken";
    public const string Failed = "oidc-failed";

    public string Code { get; } = code;
}

/// <summary>
/// Finds or creates the user of an OIDC sign-in (docs/SPEC.md §15), then signs in with Identity's cookie.
/// The provider's account is an external login (<c>asp_net_user_logins</c>: provider <see cref="LoginProvider"/>, key = <c>sub</c>);
/// a new user gets a local id of its own, never the <c>sub</c>. An e-mail is stored, confirmed, only when the token says
/// <c>email_verified</c>; a verified e-mail that belongs to another account refuses the sign-in.
/// </summary>
public sealed class OidcUserSync(UserManager<ApplicationUser> users, SignInManager<ApplicationUser> signIn, AppDbContext db, ILogger<OidcUserSync> logger)
{
    /// <summary>The login provider name stored with each external login: the authentication scheme.</summary>
    public const string LoginProvider = AuthSetup.OidcScheme;

    public async Task SignInAsync(TicketReceivedContext context)
    {
        ApplicationUser user;
        try
        {
            var principal = context.Principal ?? throw new OidcSignInRefusedException(OidcSignInRefusedException.Failed, Text.Get("Error.OidcNoUser"));
            var sub = principal.FindFirstValue("sub") ?? throw new OidcSignInRefusedException(OidcSignInRefusedException.Failed, Text.Get("Error.OidcNoSub"));
            user = await UpsertAsync(OidcClaims.From(principal, sub));
        }
        catch (OidcSignInRefusedException refused)
        {
            logger.LogWarning("OIDC sign-in refused ({Code}): {Reason}", refused.Code, refused.Message);
            context.HandleResponse();
            context.Response.Redirect($"/Account/Login?error={refused.Code}");
            return;
        }

        var appPrincipal = await signIn.CreateUserPrincipalAsync(user);
        // The provider's id_token stays with the session: sign-out sends it to the provider's end-session endpoint.
        var properties = new AuthenticationProperties { IsPersistent = false };
        properties.StoreTokens(context.Properties?.GetTokens().Where(t => t.Name == "id_token") ?? []);

        await context.HttpContext.SignInAsync(IdentityConstants.ApplicationScheme, appPrincipal, properties);
        context.HandleResponse();
        context.Response.Redirect(AccountEndpoints.LocalUrl(context.ReturnUri));
    }

    public async Task<ApplicationUser> UpsertAsync(OidcClaims token)
    {
        var user = await users.FindByLoginAsync(LoginProvider, token.Sub) ?? await AdoptLegacyUserAsync(token.Sub);
        if (user is null) return await CreateAsync(token);

        if (token.Name is not null) user.DisplayName = token.Name;
        var email = TrustedEmail(token);
        if (email is not null && !string.Equals(users.NormalizeEmail(email), user.NormalizedEmail, StringComparison.Ordinal))
        {
            await RefuseWhenTakenAsync(email, user.Id);
            user.Email = email;
            user.EmailConfirmed = true;
        }
        Check(await users.UpdateAsync(user));
        return user;
    }

    /// <summary>
    /// Before external logins, a provider user's id was its <c>sub</c>. Such a row is adopted (its login row added) only when it
    /// looks like one: no password and no login yet. A local account whose id happens to equal a <c>sub</c> is never taken over.
    /// </summary>
    private async Task<ApplicationUser?> AdoptLegacyUserAsync(string sub)
    {
        var legacy = await users.FindByIdAsync(sub);
        if (legacy is null || legacy.PasswordHash is not null || (await users.GetLoginsAsync(legacy)).Count > 0) return null;
        Check(await users.AddLoginAsync(legacy, new UserLoginInfo(LoginProvider, sub, LoginProvider)));
        logger.LogInformation("Linked legacy provider user {UserId} to its external login", legacy.Id);
        return legacy;
    }

    private async Task<ApplicationUser> CreateAsync(OidcClaims token)
    {
        var email = TrustedEmail(token);
        if (email is not null) await RefuseWhenTakenAsync(email, ownId: null);

        var user = new ApplicationUser(Guid.CreateVersion7().ToString())
        {
            UserName = await FreeUserNameAsync(token.PreferredUsername ?? email?.Split('@')[0] ?? "user"),
            Email = email,
            EmailConfirmed = email is not null,
            DisplayName = token.Name ?? token.PreferredUsername ?? email ?? token.Sub,
        };
        // The user and its login row commit together, so a failed login never leaves a user nobody can sign in as.
        // A refusal throws, and the transaction rolls back unsaved.
        await db.InTransactionAsync(async () =>
        {
            Check(await users.CreateAsync(user));
            Check(await users.AddLoginAsync(user, new UserLoginInfo(LoginProvider, token.Sub, LoginProvider)));
        }, CancellationToken.None);
        logger.LogInformation("Created user {UserId} for a new {Provider} login", user.Id, LoginProvider);
        return user;
    }

    /// <summary>Only an e-mail the provider has verified is stored: an unverified one is a claim anyone can make (docs/SPEC.md §15).</summary>
    private static string? TrustedEmail(OidcClaims token) => token.EmailVerified && !string.IsNullOrWhiteSpace(token.Email) ? token.Email.Trim() : null;

    /// <summary>A provider sign-in never takes over another account (local or not) through its e-mail.</summary>
    private async Task RefuseWhenTakenAsync(string email, string? ownId)
    {
        var owner = await users.FindByEmailAsync(email);
        if (owner is not null && owner.Id != ownId)
        {
            throw new OidcSignInRefusedException(OidcSignInRefusedException.EmailTaken, Text.Get("Account.Error.EmailTaken", email));
        }
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
}

public static class AuthClaims
{
    /// <summary>The signed-in user's id (Identity puts it in NameIdentifier).</summary>
    public static string? GetUserId(this ClaimsPrincipal principal) => principal.FindFirstValue(ClaimTypes.NameIdentifier);
}

/// <summary>
/// Identity's user validator with one difference: a user may have no e-mail at all (a provider user whose e-mail is not
/// verified, docs/SPEC.md §15). An e-mail that is set must still be valid and unique; local registration always asks for one.
/// </summary>
public sealed class UserWithOptionalEmailValidator(IdentityErrorDescriber errors) : UserValidator<ApplicationUser>(errors)
{
    public override async Task<IdentityResult> ValidateAsync(UserManager<ApplicationUser> manager, ApplicationUser user)
    {
        var result = await base.ValidateAsync(manager, user);
        if (result.Succeeded || user.Email is not null) return result;
        var left = result.Errors.Where(e => e.Code != nameof(IdentityErrorDescriber.InvalidEmail)).ToArray();
        return left.Length == 0 ? IdentityResult.Success : IdentityResult.Failed(left);
    }
}
