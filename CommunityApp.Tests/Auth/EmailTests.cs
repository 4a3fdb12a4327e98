using System.Globalization;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using CommunityApp.Auth;
using CommunityApp.Data;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Auth;

/// <summary>Mail at start-up and through a real SMTP server (smtp4dev): which sender each environment gets, and what arrives.</summary>
public sealed class EmailTests(Smtp4dev smtp) : IClassFixture<Smtp4dev>
{
    private const string From = "CommunityApp <noreply@community.test>";

    private async Task<AppFactory> StartAppAsync(string environment, params (string Key, string? Value)[] settings)
    {
        var app = new AppFactory { EnvironmentName = environment };
        await app.InitializeAsync();
        foreach (var (key, value) in settings) app.Settings[key] = value;
        app.CreateClient().Dispose();
        return app;
    }

    private (string, string?)[] SmtpSettings() => smtp.AppSettings(From).Select(s => (s.Key, s.Value)).ToArray();

    private static ApplicationUser User(string name) => new() { UserName = name, Email = $"{name}@example.test", DisplayName = "Lena Berg" };

    [Fact]
    public async Task Outside_Development_a_password_reset_goes_out_by_SMTP_from_the_configured_sender()
    {
        CultureInfo.CurrentUICulture = new("en");
        await using var app = await StartAppAsync("Production", SmtpSettings());
        app.Services.GetRequiredService<IMailSender>().ShouldBeOfType<SmtpMailSender>();
        var link = "http://app.test/Account/ResetPassword?code=abc-123_x&amp;email=lena";

        await app.Services.GetRequiredService<IEmailSender<ApplicationUser>>().SendPasswordResetLinkAsync(User("smtp-reset"), "smtp-reset@example.test", link);

        var message = await smtp.WaitForMessageToAsync("smtp-reset@example.test");
        message.Subject.ShouldBe("Reset your CommunityApp password");
        message.To.ShouldBe(["smtp-reset@example.test"]);
        message.From.ShouldBe("noreply@community.test");
        (await smtp.DetailAsync(message.Id)).From.ShouldBe("\"CommunityApp\" <noreply@community.test>");
        var text = await smtp.PlainTextAsync(message.Id);
        text.ShouldStartWith("Hello Lena Berg,");
        text.ShouldContain("reset your password");
        // Identity hands the link over HTML-encoded: the plain-text part carries it decoded, the HTML part as a working href.
        text.ShouldContain("http://app.test/Account/ResetPassword?code=abc-123_x&email=lena");
        (await smtp.HtmlAsync(message.Id)).ShouldContain("href=\"http://app.test/Account/ResetPassword?code=abc-123_x&amp;email=lena\"");
        app.Logs.ShouldContain(l => l.Contains($"Mail goes out by SMTP through 127.0.0.1:{smtp.SmtpPort}"));
    }

    [Fact]
    public async Task The_mail_is_written_in_the_language_of_the_request()
    {
        CultureInfo.CurrentUICulture = new("es");
        await using var app = await StartAppAsync("Production", SmtpSettings());

        await app.Services.GetRequiredService<IEmailSender<ApplicationUser>>().SendPasswordResetLinkAsync(User("smtp-es"), "smtp-es@example.test", "http://app.test/r");

        var message = await smtp.WaitForMessageToAsync("smtp-es@example.test");
        message.Subject.ShouldBe("Restablece tu contraseña de CommunityApp");
        (await smtp.PlainTextAsync(message.Id)).ShouldStartWith("Hola, Lena Berg:");
        (await smtp.HtmlAsync(message.Id)).ShouldContain("<html lang=\"es\">");
    }

    [Fact]
    public async Task In_Development_a_configured_SMTP_host_is_used_instead_of_the_log()
    {
        CultureInfo.CurrentUICulture = new("en");
        await using var app = await StartAppAsync("Development", SmtpSettings());

        await app.Services.GetRequiredService<IEmailSender<ApplicationUser>>().SendPasswordResetLinkAsync(User("smtp-dev"), "smtp-dev@example.test", "http://app.test/r");

        (await smtp.WaitForMessageToAsync("smtp-dev@example.test")).Subject.ShouldBe("Reset your CommunityApp password");
        app.Logs.ShouldNotContain(l => l.Contains("http://app.test/r"));
    }

    [Fact]
    public async Task In_Development_without_SMTP_mails_are_written_to_the_log()
    {
        CultureInfo.CurrentUICulture = new("en");
        await using var app = await StartAppAsync("Development");
        app.Services.GetRequiredService<IMailSender>().ShouldBeOfType<LoggingMailSender>();

        await app.Services.GetRequiredService<IEmailSender<ApplicationUser>>().SendPasswordResetLinkAsync(User("log-only"), "log-only@example.test", "http://app.test/r?code=1");

        app.Logs.ShouldContain(l => l.Contains("E-mail to log-only@example.test: Reset your CommunityApp password") && l.Contains("http://app.test/r?code=1"));
        (await smtp.MessagesToAsync("log-only@example.test")).ShouldBeEmpty();
    }

    [Fact]
    public async Task Outside_Development_start_up_fails_without_an_SMTP_host_and_names_the_setting()
    {
        var app = new AppFactory { EnvironmentName = "Production" };
        await using var _ = app;
        await app.InitializeAsync();

        var ex = Should.Throw<OptionsValidationException>(() => app.CreateClient());

        ex.Message.ShouldContain("Email:Smtp:Host is not set");
        ex.Message.ShouldContain("Email__Smtp__Host");
        ex.Message.ShouldContain("Email:Enabled=false");
    }

    [Fact]
    public async Task Email_Enabled_false_lets_the_app_start_without_SMTP_and_mail_is_dropped_and_logged()
    {
        CultureInfo.CurrentUICulture = new("en");
        await using var app = await StartAppAsync("Production", ("Email:Enabled", "false"));
        app.Services.GetRequiredService<IMailSender>().ShouldBeOfType<DisabledMailSender>();
        app.Logs.ShouldContain(l => l.Contains("Mail is disabled (Email:Enabled=false)"));

        await app.Services.GetRequiredService<IEmailSender<ApplicationUser>>().SendPasswordResetLinkAsync(User("disabled"), "disabled@example.test", "http://app.test/secret-link");

        app.Logs.ShouldContain(l => l.Contains("\"Reset your CommunityApp password\" to disabled@example.test was not sent"));
        app.Logs.ShouldNotContain(l => l.Contains("secret-link"), "a dropped mail's link must not land in a production log");
        (await smtp.MessagesToAsync("disabled@example.test")).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_wrong_SMTP_setting_stops_start_up_with_its_name()
    {
        var app = new AppFactory { EnvironmentName = "Production" };
        await using var _ = app;
        await app.InitializeAsync();
        app.Settings["Email:Smtp:Host"] = "127.0.0.1";
        app.Settings["Email:Smtp:Port"] = "70000";
        app.Settings["Email:Smtp:From"] = "not an address";
        app.Settings["Email:Smtp:User"] = "mailer";

        var ex = Should.Throw<OptionsValidationException>(() => app.CreateClient());

        ex.Message.ShouldContain("Email:Smtp:Port must be between 1 and 65535");
        ex.Message.ShouldContain("Email:Smtp:From is not an e-mail address");
        ex.Message.ShouldContain("Email:Smtp:Password is not set");
        ex.Message.ShouldNotContain("Email:Smtp:Host");
    }

    [Theory]
    [InlineData("Production", null, null, MailMode.Smtp)]
    [InlineData("Staging", "smtp.example.org", null, MailMode.Smtp)]
    [InlineData("Production", "smtp.example.org", "false", MailMode.Disabled)]
    [InlineData("Production", null, "false", MailMode.Disabled)]
    [InlineData("Production", null, "true", MailMode.Smtp)]
    [InlineData("Development", null, null, MailMode.Log)]
    [InlineData("Development", null, "true", MailMode.Log)]
    [InlineData("Development", "smtp.example.org", null, MailMode.Smtp)]
    [InlineData("Development", null, "false", MailMode.Disabled)]
    public void The_mode_follows_the_environment_and_the_settings(string environment, string? host, string? enabled, MailMode expected)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Email:Smtp:Host"] = host, ["Email:Enabled"] = enabled })
            .Build();
        var hostEnvironment = new Microsoft.Extensions.Hosting.Internal.HostingEnvironment { EnvironmentName = environment };

        EmailSetup.ChooseMode(configuration, hostEnvironment).ShouldBe(expected);
    }
}
