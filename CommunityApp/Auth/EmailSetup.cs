using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using MimeKit;
using CommunityApp.Data;

namespace CommunityApp.Auth;

public enum SmtpTls
{
    /// <summary>Plain connection upgraded with STARTTLS; refused when the server does not offer it (the usual port 587).</summary>
    StartTls,
    /// <summary>TLS from the first byte (the usual port 465).</summary>
    SslOnConnect,
    /// <summary>No encryption: only for a server on the same host or network (a test or relay).</summary>
    None,
}

/// <summary>Settings under <c>Email:Smtp:</c>. Validated at start-up whenever mail goes out by SMTP.</summary>
public sealed class SmtpOptions
{
    public const string Section = "Email:Smtp";

    public string? Host { get; set; }
    public int Port { get; set; } = 587;
    public SmtpTls Tls { get; set; } = SmtpTls.StartTls;
    public string? User { get; set; }
    public string? Password { get; set; }
    /// <summary>The sender, an address or <c>Name &lt;address&gt;</c>.</summary>
    public string? From { get; set; }
}

/// <summary>Each refusal names the setting to fix, so a failed start-up says what to do.</summary>
public sealed class SmtpOptionsValidator : IValidateOptions<SmtpOptions>
{
    public ValidateOptionsResult Validate(string? name, SmtpOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Host))
        {
            failures.Add("Email:Smtp:Host is not set. Outside Development the app sends password-reset and invite mails by SMTP: " +
                         "set Email:Smtp:Host (environment variable Email__Smtp__Host) and Email:Smtp:From, or set Email:Enabled=false to run without mail.");
        }
        if (options.Port is < 1 or > 65535) failures.Add($"Email:Smtp:Port must be between 1 and 65535 (it is {options.Port}).");
        if (string.IsNullOrWhiteSpace(options.From)) failures.Add("Email:Smtp:From is not set: give the sender address, e.g. \"CommunityApp <noreply@example.org>\".");
        else if (!MailboxAddress.TryParse(options.From, out _)) failures.Add($"Email:Smtp:From is not an e-mail address: \"{options.From}\".");
        if (!string.IsNullOrEmpty(options.User) && string.IsNullOrEmpty(options.Password)) failures.Add("Email:Smtp:Password is not set although Email:Smtp:User is.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

public enum MailMode
{
    Smtp,
    Log,
    Disabled,
}

/// <summary>Where mail goes, for pages that tell the user (in Development, "the mail is in the log").</summary>
public sealed record MailSettings(MailMode Mode)
{
    /// <summary>With mail off nobody can confirm an e-mail, so accounts sign in unconfirmed (and their e-mail finds no one).</summary>
    public bool ConfirmsEmail => Mode != MailMode.Disabled;
}

public static class EmailSetup
{
    /// <summary>
    /// <c>Email:Enabled=false</c> turns mail off. Otherwise mail goes out by SMTP, except in Development without
    /// <c>Email:Smtp:Host</c>, where it is written to the log. SMTP without a host fails the start-up (see the validator).
    /// </summary>
    public static MailMode ChooseMode(IConfiguration configuration, IHostEnvironment environment)
    {
        if (configuration.GetValue<bool?>("Email:Enabled") == false) return MailMode.Disabled;
        if (!string.IsNullOrWhiteSpace(configuration[$"{SmtpOptions.Section}:Host"])) return MailMode.Smtp;
        return environment.IsDevelopment() ? MailMode.Log : MailMode.Smtp;
    }

    public static void AddEmail(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var mode = ChooseMode(builder.Configuration, builder.Environment);
        switch (mode)
        {
            case MailMode.Smtp:
                services.AddSingleton<IValidateOptions<SmtpOptions>, SmtpOptionsValidator>();
                services.AddOptions<SmtpOptions>().BindConfiguration(SmtpOptions.Section).ValidateOnStart();
                services.AddSingleton<IMailSender, SmtpMailSender>();
                break;
            case MailMode.Log:
                services.AddSingleton<IMailSender, LoggingMailSender>();
                break;
            default:
                services.AddSingleton<IMailSender, DisabledMailSender>();
                break;
        }
        services.AddSingleton(new MailSettings(mode));
        services.AddSingleton<IEmailSender<ApplicationUser>, AccountEmailSender>();
        services.AddHostedService(provider => new MailModeReport(mode, provider));
    }

    /// <summary>Says once at start-up where mail goes, so a disabled or logged-only mail setup is never a surprise.</summary>
    private sealed class MailModeReport(MailMode mode, IServiceProvider services) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            var logger = services.GetRequiredService<ILogger<MailModeReport>>();
            switch (mode)
            {
                case MailMode.Smtp:
                    var smtp = services.GetRequiredService<IOptions<SmtpOptions>>().Value;
                    logger.LogInformation("Mail goes out by SMTP through {Host}:{Port} ({Tls}) from {From}", smtp.Host, smtp.Port, smtp.Tls, smtp.From);
                    break;
                case MailMode.Log:
                    logger.LogInformation("Mail is written to the log (Development without Email:Smtp:Host)");
                    break;
                default:
                    logger.LogWarning("Mail is disabled (Email:Enabled=false): password-reset and invite mails are not sent, and e-mail addresses stay unconfirmed");
                    break;
            }
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
