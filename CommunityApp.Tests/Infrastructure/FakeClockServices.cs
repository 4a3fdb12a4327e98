using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using CommunityApp.Data;
using CommunityApp.Features;

namespace CommunityApp.Tests.Infrastructure;

/// <summary>
/// The app's feature services over a fixture's database, as <see cref="ServiceFixture"/> builds them, but on a
/// <see cref="FakeTimeProvider"/> and with configuration: for the background jobs, whose timers run on that clock.
/// </summary>
public sealed class FakeClockServices : IAsyncDisposable
{
    private readonly ServiceProvider services;

    public FakeClockServices(ServiceFixture fixture, IReadOnlyDictionary<string, string?>? settings = null)
    {
        // Starts at the real time, so rows the fixture's own services write are "now" here too.
        Clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings ?? new Dictionary<string, string?>()).Build();
        services = new ServiceCollection()
            .AddLogging()
            .AddSingleton<IConfiguration>(configuration)
            .Configure<IdentityOptions>(IdentityModel.UseSchemaVersion)
            .AddSingleton<ILookupNormalizer, UpperInvariantLookupNormalizer>()
            .AddSingleton<MailOutbox>()
            .AddSingleton<CommunityApp.Auth.IMailSender>(sp => sp.GetRequiredService<MailOutbox>())
            .Configure<CommunityApp.Auth.PublicUrlOptions>(o => o.PublicBaseUrl = ServiceFixture.PublicBaseUrl)
            .AddSingleton<TimeProvider>(Clock)
            .AddAppDatabase(fixture.Provider, fixture.ConnectionString)
            .AddFeatures()
            .BuildServiceProvider();
    }

    public FakeTimeProvider Clock { get; }

    public T Get<T>() where T : notnull => services.GetRequiredService<T>();

    /// <summary>The hosted service of type <typeparamref name="T"/> as the app registers it (not started).</summary>
    public T Job<T>() where T : IHostedService => services.GetServices<IHostedService>().OfType<T>().Single();

    public ValueTask DisposeAsync() => services.DisposeAsync();
}
