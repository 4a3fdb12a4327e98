using System.Collections.Concurrent;
using System.Net;
using Microsoft.EntityFrameworkCore;
using CommunityApp.Data;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Http;

/// <summary>
/// SIGTERM while people are writing (docs/ARCHITECTURE.md, "Start-up and shutdown"): the app as its own process, 20
/// clients registering accounts in a loop, and a SIGTERM once writes are flowing. Every write either commits and is
/// answered, or is refused before it starts; none answers 5xx, none is half done, and the process ends cleanly.
/// </summary>
public sealed class ShutdownTests
{
    [Fact]
    public async Task Sigterm_during_writes_commits_or_refuses_each_one_and_the_process_exits_cleanly()
    {
        var ct = TestContext.Current.CancellationToken;
        var connectionString = await TestDatabases.CreatePostgresAsync();
        try
        {
            await using var app = await AppProcess.StartAsync(new Dictionary<string, string>
            {
                // Development: plain-http cookies for the form posts; mail off, so a registration signs in at once.
                ["ASPNETCORE_ENVIRONMENT"] = "Development",
                ["Demo:Seed"] = "false",
                ["Database:Provider"] = "Postgres",
                ["ConnectionStrings:Postgres"] = connectionString,
                ["RateLimits:AccountFormsPerMinute"] = "100000",
            });

            var answers = new ConcurrentDictionary<string, HttpStatusCode?>();
            var registered = 0;
            var terminated = new TaskCompletionSource();

            async Task ClientAsync(int client)
            {
                using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = new CookieContainer() })
                    { BaseAddress = new Uri(app.BaseUrl) };
                for (var n = 0; ; n++)
                {
                    var name = $"sig{client}x{n}";
                    try
                    {
                        var response = await http.PostFormAsync("/Account/Register", "register", new Dictionary<string, string>
                        {
                            ["Input.DisplayName"] = "Shutdown Test", ["Input.UserName"] = name, ["Input.Email"] = $"{name}@example.test",
                            ["Input.Password"] = AccountForms.Password, ["Input.ConfirmPassword"] = AccountForms.Password,
                        }, ct);
                        answers[name] = response.StatusCode;
                        if (response.StatusCode == HttpStatusCode.Redirect) Interlocked.Increment(ref registered);
                    }
                    catch (Exception ex) when (ex is HttpRequestException or Shouldly.ShouldAssertException)
                    {
                        // Refused: the app no longer takes connections (or its form page), so this client is told it failed.
                        answers[name] = null;
                        if (terminated.Task.IsCompleted) return;
                    }
                }
            }

            var clients = Enumerable.Range(0, 20).Select(c => Task.Run(() => ClientAsync(c), ct)).ToList();
            // Each registration hashes its password with Identity's full 100,000 rounds here (its own process, the real settings).
            await Eventually.UntilAsync(() => Volatile.Read(ref registered) >= 25, "registrations flowing", TimeSpan.FromSeconds(60));
            app.Terminate();
            terminated.SetResult();
            var result = await app.ResultAsync(TimeSpan.FromSeconds(20));
            await Task.WhenAll(clients);

            result.ExitCode.ShouldBe(0, result.ToString());
            answers.Values.ShouldAllBe(status => status == null || status == HttpStatusCode.Redirect || status == HttpStatusCode.OK,
                "no answer is a 5xx: " + string.Join(",", answers.Values.Distinct()));
            var options = new DbContextOptionsBuilder<PostgresAppDbContext>();
            DataSetup.ConfigurePostgres(options, connectionString).UseApplicationServiceProvider(IdentityModel.Services);
            await using var db = new PostgresAppDbContext(options.Options);
            var stored = (await db.Users.Where(u => u.UserName!.StartsWith("sig")).Select(u => u.UserName!).ToListAsync(ct)).ToHashSet();
            var answeredSaved = answers.Where(a => a.Value == HttpStatusCode.Redirect).Select(a => a.Key).ToHashSet();
            answeredSaved.Except(stored).ShouldBeEmpty("every registration answered as done is stored");
            stored.Except(answeredSaved).ShouldBeEmpty("no registration is stored that its client was told failed");
            answers.Values.Count(v => v is null).ShouldBeGreaterThan(0, "the clients went on until the app stopped taking them");
        }
        finally
        {
            await TestDatabases.DropPostgresAsync(connectionString);
        }
    }
}
