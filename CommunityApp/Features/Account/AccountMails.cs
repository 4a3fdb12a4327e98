using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.WebUtilities;
using CommunityApp.Auth;
using CommunityApp.Data;
using CommunityApp.Resources;

namespace CommunityApp.Features.Account;

/// <summary>
/// The mails of the neutral account forms (register, resend confirmation, forgot password): each link on
/// <c>App:PublicBaseUrl</c>, never on the request's Host; at most <see cref="ThrottleOptions.AccountMailsPerHour"/> to one
/// account an hour, beyond which the form answers as always and nothing is sent.
/// </summary>
public sealed class AccountMails(UserManager<ApplicationUser> users, IEmailSender<ApplicationUser> accountMail, IMailSender mail,
    PublicUrls urls, AccountMailThrottle throttle, ILogger<AccountMails> logger)
{
    /// <summary>A link that confirms the address and signs in, then goes on to <paramref name="returnUrl"/>.</summary>
    public async Task SendConfirmationAsync(ApplicationUser user, string? returnUrl)
    {
        if (!Take(user)) return;
        var code = Encode(await users.GenerateEmailConfirmationTokenAsync(user));
        var link = urls.Absolute($"Account/ConfirmEmail?userId={Uri.EscapeDataString(user.Id)}&code={code}" +
                                 (returnUrl is null ? "" : $"&returnUrl={Uri.EscapeDataString(AccountEndpoints.LocalUrl(returnUrl))}"));
        await accountMail.SendConfirmationLinkAsync(user, user.Email!, HtmlEncoder.Default.Encode(link));
    }

    public async Task SendPasswordResetAsync(ApplicationUser user)
    {
        if (!Take(user)) return;
        var code = Encode(await users.GeneratePasswordResetTokenAsync(user));
        var link = urls.Absolute($"Account/ResetPassword?code={code}");
        await accountMail.SendPasswordResetLinkAsync(user, user.Email!, HtmlEncoder.Default.Encode(link));
    }

    /// <summary>Someone registered with an address that already has an account: the owner hears of it, the form says nothing.</summary>
    public async Task SendAlreadyRegisteredAsync(ApplicationUser user)
    {
        if (!Take(user)) return;
        await mail.SendAsync(MailComposer.Compose(user.Email!, user.DisplayName, Text.Get("Mail.ExistsSubject"),
            [Text.Get("Mail.ExistsBody", user.UserName!), Text.Get("Mail.ExistsIgnore")], Text.Get("Mail.ExistsAction"),
            urls.Absolute("Account/Login")));
    }

    private bool Take(ApplicationUser user)
    {
        if (throttle.TryTake(user.Id)) return true;
        logger.LogWarning("Account mail to user {UserId} not sent: the hourly limit is reached", user.Id);
        return false;
    }

    private static string Encode(string token) => Uri.EscapeDataString(WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(token)));

    /// <summary>The token in a link made by <see cref="Encode"/>, or "" when the link was damaged.</summary>
    public static string Decode(string? code)
    {
        try
        {
            return code is null ? "" : Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(code));
        }
        catch (FormatException)
        {
            return "";
        }
    }
}
