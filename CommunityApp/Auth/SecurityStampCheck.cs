using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace CommunityApp.Auth;

/// <summary>
/// The sign-in cookie's security-stamp check (signing out everywhere after a password change), as Identity's
/// <see cref="SecurityStampValidator"/> does it, every <see cref="SecurityStampValidatorOptions.ValidationInterval"/>
/// (30 minutes): but the validator, with the sign-in manager, user manager, user store and a pooled database context behind
/// it, is only built when a check is due, in a scope of its own that ends with the check. Identity builds it from the
/// request's services on every request; a Blazor circuit's WebSocket is one request for as long as its tab is open, so
/// every open tab held a database context from the pool (docs/ARCHITECTURE.md, "Circuits").
/// </summary>
public static class SecurityStampCheck
{
    public static async Task ValidateWhenDueAsync(CookieValidatePrincipalContext context)
    {
        var services = context.HttpContext.RequestServices;
        var options = services.GetRequiredService<IOptions<SecurityStampValidatorOptions>>().Value;
        var now = (options.TimeProvider ?? services.GetRequiredService<TimeProvider>()).GetUtcNow();
        // Identity's rule: a cookie without an issue time is checked; one issued within the interval is not.
        if (context.Properties.IssuedUtc is { } issued && now - issued <= options.ValidationInterval) return;
        await using var scope = services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<ISecurityStampValidator>().ValidateAsync(context);
    }
}
