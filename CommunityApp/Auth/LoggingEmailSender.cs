using Microsoft.AspNetCore.Identity;
using CommunityApp.Data;

namespace CommunityApp.Auth;

/// <summary>
/// Writes account e-mails (password-reset links) to the log. This is the seam for SMTP: register another
/// <see cref="IEmailSender{TUser}"/> to send real mail.
/// </summary>
public sealed class LoggingEmailSender(ILogger<LoggingEmailSender> logger) : IEmailSender<ApplicationUser>
{
    public Task SendConfirmationLinkAsync(ApplicationUser user, string email, string confirmationLink)
    {
        logger.LogInformation("E-mail to {Email}: confirm your account: {Link}", email, confirmationLink);
        return Task.CompletedTask;
    }

    public Task SendPasswordResetLinkAsync(ApplicationUser user, string email, string resetLink)
    {
        logger.LogInformation("E-mail to {Email}: reset your password: {Link}", email, resetLink);
        return Task.CompletedTask;
    }

    public Task SendPasswordResetCodeAsync(ApplicationUser user, string email, string resetCode)
    {
        logger.LogInformation("E-mail to {Email}: your password reset code is {Code}", email, resetCode);
        return Task.CompletedTask;
    }
}
