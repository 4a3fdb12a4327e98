using System.Diagnostics;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using CommunityApp.Data;
using CommunityApp.Features;

/// <summary>What every benchmark mode shares: a fresh database with the app's services over it, and the timing.</summary>
static class BenchDatabase
{
    public static async Task<string> CreateAsync(string server, string name)
    {
        await using (var admin = new NpgsqlConnection(server))
        {
            await admin.OpenAsync();
            await new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", admin).ExecuteNonQueryAsync();
            await new NpgsqlCommand($"CREATE DATABASE {name}", admin).ExecuteNonQueryAsync();
        }
        // The hand-written SQL's sessions as the app's: JIT off (DataSetup.WithoutJit).
        return CommunityApp.Data.DataSetup.WithoutJit(new NpgsqlConnectionStringBuilder(server) { Database = name, MaxPoolSize = 20 }.ConnectionString);
    }

    /// <summary>The connection string of database <paramref name="name"/> if it exists (null if not).</summary>
    public static async Task<string?> ExistingAsync(string server, string name)
    {
        await using var admin = new NpgsqlConnection(server);
        await admin.OpenAsync();
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @n", admin) { Parameters = { new("n", name) } };
        return await exists.ExecuteScalarAsync() is null
            ? null
            : CommunityApp.Data.DataSetup.WithoutJit(new NpgsqlConnectionStringBuilder(server) { Database = name, MaxPoolSize = 20 }.ConnectionString);
    }

    /// <summary>The app's services over <paramref name="connectionString"/>, as the app registers them, with the schema migrated.</summary>
    public static async Task<ServiceProvider> ServicesAsync(string connectionString)
    {
        var services = new ServiceCollection()
            .AddLogging()
            .Configure<IdentityOptions>(IdentityModel.UseSchemaVersion)
            .AddSingleton<ILookupNormalizer, UpperInvariantLookupNormalizer>()
            .AddAppDatabase(DatabaseProvider.Postgres, connectionString)
            .AddFeatures()
            .BuildServiceProvider();
        await using var db = await services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync();
        await db.Database.MigrateAsync();
        return services;
    }

    /// <summary>The machine's load average (1, 5, 15 minutes), printed beside the figures.</summary>
    public static string Load() => string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ')[..3]);
}

static class BenchTiming
{
    /// <summary>
    /// Warms both up, then times <paramref name="iterations"/> calls of each, alternating, and reports median and p95 of
    /// each. Which side goes first alternates too: the first of a pair pays for pages the other then finds cached (a
    /// search's matching rows, read for the first time at 500,000 members).
    /// The warm-up lasts at least 50 calls of each and two seconds: the runtime compiles a method again, optimised, once it
    /// has been called 30 times, in the background and after a pause, and the app runs far more of its own code per call
    /// than the hand SQL (EF's query pipeline, the services). With 20 calls, the first operations measured at the first
    /// size carried the app's unoptimised code into their p95.
    /// </summary>
    public static async Task<(Stats App, Stats Sql)> InterleavedAsync(int iterations, Func<Task> app, Func<Task> sql)
    {
        var warming = Stopwatch.StartNew();
        for (var i = 0; i < 50 || warming.Elapsed < TimeSpan.FromSeconds(2); i++)
        {
            await app();
            await sql();
        }
        var appSamples = new double[iterations];
        var sqlSamples = new double[iterations];
        for (var i = 0; i < iterations; i++)
        {
            if (i % 2 == 0)
            {
                appSamples[i] = await TimeAsync(app);
                sqlSamples[i] = await TimeAsync(sql);
            }
            else
            {
                sqlSamples[i] = await TimeAsync(sql);
                appSamples[i] = await TimeAsync(app);
            }
        }
        return (Summarise(appSamples), Summarise(sqlSamples));
    }

    static async Task<double> TimeAsync(Func<Task> call)
    {
        var watch = Stopwatch.StartNew();
        await call();
        return watch.Elapsed.TotalMilliseconds;
    }

    static Stats Summarise(double[] samples)
    {
        Array.Sort(samples);
        return new Stats(samples[samples.Length / 2], samples[(int)(samples.Length * 0.95)]);
    }
}

sealed record Stats(double Median, double P95);
