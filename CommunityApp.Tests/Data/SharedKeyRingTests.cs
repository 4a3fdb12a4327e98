using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using CommunityApp.Data;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Data;

/// <summary>
/// Instances started together on a new PostgreSQL database make one data-protection key between them
/// (<see cref="DataProtectionSetup.EnsureSharedKeyAsync"/>, at start-up): each would otherwise make its own at the same
/// moment, and a cookie or form from one would be refused by another once the framework stopped looking for keys it
/// does not know.
/// </summary>
public sealed class SharedKeyRingTests
{
    [Fact]
    public async Task Instances_starting_together_on_a_new_database_make_one_key_and_all_protect_with_it()
    {
        var ct = TestContext.Current.CancellationToken;
        var connectionString = await TestDatabases.CreatePostgresAsync();
        var instances = Enumerable.Range(0, 4).Select(_ => Instance(connectionString)).ToArray();
        try
        {
            await Task.WhenAll(instances.Select(app => Task.Run(() => DataProtectionSetup.EnsureSharedKeyAsync(app.Services, ct), ct)));
            // Each one's first use of its key ring, at once.
            var payloads = await Task.WhenAll(instances.Select(app => Task.Run(() =>
                app.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Protect("hello"u8.ToArray()), ct)));

            (await StoredKeysAsync(connectionString, ct)).ShouldBe(1);
            payloads.Select(KeyId).Distinct().ShouldHaveSingleItem("every instance protects with the one stored key");
            foreach (var app in instances)
            {
                var protector = app.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test");
                foreach (var payload in payloads) protector.Unprotect(payload).ShouldBe("hello"u8.ToArray());
            }

            // An instance started later keeps that key rather than adding one.
            await using var later = Instance(connectionString);
            await DataProtectionSetup.EnsureSharedKeyAsync(later.Services, ct);
            (await StoredKeysAsync(connectionString, ct)).ShouldBe(1);
        }
        finally
        {
            foreach (var app in instances) await app.DisposeAsync();
            NpgsqlConnection.ClearAllPools();
            await TestDatabases.DropPostgresAsync(connectionString);
        }
    }

    /// <summary>The app's database and key storage, registered as Program does, on <paramref name="connectionString"/>.</summary>
    private static WebApplication Instance(string connectionString)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Development });
        builder.Configuration["Database:Provider"] = nameof(DatabaseProvider.Postgres);
        builder.Configuration[$"ConnectionStrings:{DataSetup.PostgresConnectionName}"] = connectionString;
        builder.Services.Configure<Microsoft.AspNetCore.Identity.IdentityOptions>(IdentityModel.UseSchemaVersion);
        builder.AddData();
        return builder.Build();
    }

    /// <summary>The key's id, which a protected payload carries after its four-byte header.</summary>
    private static Guid KeyId(byte[] payload) => new(payload.AsSpan(4, 16));

    private static async Task<long> StoredKeysAsync(string connectionString, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var count = new NpgsqlCommand("SELECT count(*) FROM data_protection_keys", connection);
        return (long)(await count.ExecuteScalarAsync(ct))!;
    }
}
