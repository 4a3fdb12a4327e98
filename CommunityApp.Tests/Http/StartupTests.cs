using Microsoft.Extensions.Options;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Http;

public sealed class StartupTests
{
    [Fact]
    public async Task An_unreachable_database_stops_start_up_with_a_message_naming_the_setting()
    {
        await using var app = new AppFactory();
        await app.InitializeAsync();
        app.Settings["ConnectionStrings:Postgres"] = "Host=127.0.0.1;Port=1;Database=nowhere;Username=x;Password=y;Timeout=2";

        var ex = Should.Throw<InvalidOperationException>(() => app.CreateClient());

        ex.Message.ShouldContain("ConnectionStrings:Postgres");
        ex.Message.ShouldContain("ConnectionStrings__Postgres");
    }

    [Fact]
    public async Task A_missing_connection_string_names_the_setting()
    {
        await using var app = new AppFactory();
        await app.InitializeAsync();
        app.Settings["Database:Provider"] = "Sqlite";
        app.Settings["ConnectionStrings:Sqlite"] = "";

        var ex = Should.Throw<InvalidOperationException>(() => app.CreateClient());

        ex.Message.ShouldContain("ConnectionStrings:Sqlite is empty");
    }

    [Theory]
    [InlineData(null, "App:PublicBaseUrl is not set")]
    [InlineData("", "App:PublicBaseUrl is not set")]
    [InlineData("community.example", "App:PublicBaseUrl must be an absolute http or https URL")]
    [InlineData("/community", "App:PublicBaseUrl must be an absolute http or https URL")]
    [InlineData("ftp://community.example/", "App:PublicBaseUrl must be an absolute http or https URL")]
    [InlineData("https://community.example/?a=1", "App:PublicBaseUrl must be an absolute http or https URL")]
    public async Task Outside_Development_start_up_fails_without_an_absolute_public_address_and_names_the_setting(string? value, string reason)
    {
        await using var app = new AppFactory { EnvironmentName = "Production" };
        await app.InitializeAsync();
        app.Settings["Email:Enabled"] = "false";
        app.Settings["App:PublicBaseUrl"] = value;

        var ex = Should.Throw<OptionsValidationException>(() => app.CreateClient());

        ex.Message.ShouldContain(reason);
        ex.Message.ShouldContain("App__PublicBaseUrl");
    }

    [Fact]
    public async Task In_Development_a_public_address_that_is_set_must_still_be_absolute()
    {
        await using var app = new AppFactory();
        await app.InitializeAsync();
        app.Settings["App:PublicBaseUrl"] = "community.example";

        var ex = Should.Throw<OptionsValidationException>(() => app.CreateClient());

        ex.Message.ShouldContain("App:PublicBaseUrl must be an absolute http or https URL");
    }

    [Theory]
    [InlineData("ForwardedHeaders:KnownProxies", "proxy.example", "ForwardedHeaders:KnownProxies has \"proxy.example\", which is not an IP address")]
    [InlineData("ForwardedHeaders:KnownNetworks", "10.0.0.0/33", "ForwardedHeaders:KnownNetworks has \"10.0.0.0/33\", which is not a network in CIDR form")]
    public async Task A_proxy_setting_that_does_not_parse_stops_start_up_with_its_name(string key, string value, string reason)
    {
        await using var app = new AppFactory();
        await app.InitializeAsync();
        app.Settings[key] = value;

        var ex = Should.Throw<InvalidOperationException>(() => app.CreateClient());

        ex.Message.ShouldContain(reason);
    }
}
