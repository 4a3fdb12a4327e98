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
}
