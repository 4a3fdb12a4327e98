using System.Net;
using Microsoft.AspNetCore.Identity;
using CommunityApp.Data;
using CommunityApp.Resources;

namespace CommunityApp.Auth;

/// <summary>Identity's account mails (password reset, and confirmation should it be turned on), in the user's language, through <see cref="IMailSender"/>.</summary>
public sealed class AccountEmailSender(IMailSender mail) : IEmailSender<ApplicationUser>
{
    // Identity hands the links over HTML-encoded; the composer encodes for the HTML part itself.
    public Task SendPasswordResetLinkAsync(ApplicationUser user, string email, string resetLink) =>
        mail.SendAsync(MailComposer.Compose(email, user.DisplayName, Text.Get("Mail.ResetSubject"),
            [Text.Get("Mail.ResetBody"), Text.Get("Mail.ResetIgnore")], Text.Get("Mail.ResetAction"), WebUtility.HtmlDecode(resetLink)));

    public Task SendConfirmationLinkAsync(ApplicationUser user, string email, string confirmationLink) =>
        mail.SendAsync(MailComposer.Compose(email, user.DisplayName, Text.Get("Mail.ConfirmSubject"),
            [Text.Get("Mail.ConfirmBody")], Text.Get("Mail.ConfirmAction"), WebUtility.HtmlDecode(confirmationLink)));

    /// <summary>Not used by the app's pages (they send links), but part of Identity's contract.</summary>
    public Task SendPasswordResetCodeAsync(ApplicationUser user, string email, string resetCode) =>
        mail.SendAsync(MailComposer.Compose(email, user.DisplayName, Text.Get("Mail.ResetSubject"),
            [Text.Get("Mail.ResetCode", resetCode), Text.Get("Mail.ResetIgnore")]));
}
