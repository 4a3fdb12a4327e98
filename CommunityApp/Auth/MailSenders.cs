using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace CommunityApp.Auth;

/// <summary>One composed e-mail: a plain-text body and the same text as HTML (see <see cref="MailComposer"/>).</summary>
public sealed record OutgoingMail(string To, string? ToName, string Subject, string TextBody, string HtmlBody);

/// <summary>
/// Where the app's mail goes: SMTP (<see cref="SmtpMailSender"/>), the log in Development (<see cref="LoggingMailSender"/>),
/// or nowhere when <c>Email:Enabled=false</c> (<see cref="DisabledMailSender"/>). <see cref="EmailSetup"/> picks one at start-up.
/// </summary>
public interface IMailSender
{
    Task SendAsync(OutgoingMail mail, CancellationToken ct = default);
}

/// <summary>Sends through the SMTP server configured under <c>Email:Smtp:</c>, one connection per mail.</summary>
public sealed class SmtpMailSender(IOptions<SmtpOptions> options, ILogger<SmtpMailSender> logger) : IMailSender
{
    /// <summary>Per SMTP operation; a stuck server then fails the action instead of hanging it.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public async Task SendAsync(OutgoingMail mail, CancellationToken ct = default)
    {
        var smtp = options.Value; // validated at start-up: Host and From are set
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(smtp.From!));
        message.To.Add(new MailboxAddress(mail.ToName, mail.To));
        message.Subject = mail.Subject;
        message.Body = new BodyBuilder { TextBody = mail.TextBody, HtmlBody = mail.HtmlBody }.ToMessageBody();

        using var client = new SmtpClient { Timeout = (int)Timeout.TotalMilliseconds };
        await client.ConnectAsync(smtp.Host!, smtp.Port, smtp.Tls switch
        {
            SmtpTls.None => SecureSocketOptions.None,
            SmtpTls.SslOnConnect => SecureSocketOptions.SslOnConnect,
            _ => SecureSocketOptions.StartTls,
        }, ct);
        if (!string.IsNullOrEmpty(smtp.User)) await client.AuthenticateAsync(smtp.User, smtp.Password ?? "", ct);
        await client.SendAsync(message, ct);
        await client.DisconnectAsync(quit: true, ct);
        logger.LogInformation("Mailed \"{Subject}\" to {Email} through {Host}:{Port}", mail.Subject, mail.To, smtp.Host, smtp.Port);
    }
}

/// <summary>Development's default: writes each mail, links included, to the log instead of sending it.</summary>
public sealed class LoggingMailSender(ILogger<LoggingMailSender> logger) : IMailSender
{
    public Task SendAsync(OutgoingMail mail, CancellationToken ct = default)
    {
        logger.LogInformation("E-mail to {Email}: {Subject}\n{Body}", mail.To, mail.Subject, mail.TextBody);
        return Task.CompletedTask;
    }
}

/// <summary><c>Email:Enabled=false</c>: nothing is sent; each dropped mail is logged without its body (it may hold a reset link).</summary>
public sealed class DisabledMailSender(ILogger<DisabledMailSender> logger) : IMailSender
{
    public Task SendAsync(OutgoingMail mail, CancellationToken ct = default)
    {
        logger.LogWarning("Mail is disabled (Email:Enabled=false): \"{Subject}\" to {Email} was not sent", mail.Subject, mail.To);
        return Task.CompletedTask;
    }
}
