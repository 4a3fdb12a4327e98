using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.RateLimiting;
using CommunityApp.Components.Pages;

namespace CommunityApp.Auth;

/// <summary>Settings under <c>RateLimits:</c> (docs/ARCHITECTURE.md, "Throttling"). Every limit is per instance.</summary>
public sealed class ThrottleOptions
{
    public const string Section = "RateLimits";

    /// <summary>Account form posts (sign-in, register, forgot and reset password, resend confirmation) per client address per minute.</summary>
    public int AccountFormsPerMinute { get; set; } = 10;
    /// <summary>New circuits (<c>/_blazor/negotiate</c>) per client address per minute.</summary>
    public int CircuitStartsPerMinute { get; set; } = 30;
    /// <summary>Open circuits (<c>/_blazor</c> connections) at once per client address.</summary>
    public int CircuitsPerClient { get; set; } = 50;
    /// <summary>Interactive actions (every write through a page's action path) per signed-in user per minute.</summary>
    public int ActionsPerMinute { get; set; } = 60;
    /// <summary>Wrong passwords for one account from one address before that pair is locked out; each further lockout doubles.</summary>
    public int SignInFailuresBeforeLockout { get; set; } = 5;
    public TimeSpan FirstLockout { get; set; } = TimeSpan.FromMinutes(1);
    public TimeSpan LongestLockout { get; set; } = TimeSpan.FromHours(1);
    /// <summary>Account mails (password reset, confirmation, "you already have an account") per account per hour.</summary>
    public int AccountMailsPerHour { get; set; } = 3;
    /// <summary>Kestrel's limit on open connections; null leaves it unlimited.</summary>
    public long? MaxConnections { get; set; } = 10_000;
    /// <summary>Disconnected circuits kept for a reconnect; each holds its page's state in memory.</summary>
    public int DisconnectedCircuitsRetained { get; set; } = 100;
    public TimeSpan DisconnectedCircuitRetention { get; set; } = TimeSpan.FromMinutes(3);
}

/// <summary>
/// ASP.NET Core rate limiting on what a client can repeat cheaply: account form posts and new circuits per client address,
/// and open circuits per client address; a refusal is HTTP 429 with a page that says how long to wait. Interactive writes
/// are limited per user in the page's action path (<see cref="ActionThrottle"/>), sign-in failures per account and
/// address (<see cref="SignInThrottle"/>).
/// </summary>
public static class Throttling
{
    public static void AddThrottling(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(ThrottleOptions.Section).Get<ThrottleOptions>() ?? new();
        var services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton<SignInThrottle>();
        services.AddSingleton<AccountMailThrottle>();
        services.AddSingleton<ActionThrottle>();

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxConcurrentConnections = options.MaxConnections;
            kestrel.Limits.MaxConcurrentUpgradedConnections = options.MaxConnections;
        });
        services.Configure<Microsoft.AspNetCore.Components.Server.CircuitOptions>(circuits =>
        {
            circuits.DisconnectedCircuitMaxRetained = options.DisconnectedCircuitsRetained;
            circuits.DisconnectedCircuitRetentionPeriod = options.DisconnectedCircuitRetention;
        });

        services.AddRateLimiter(limiter =>
        {
            limiter.GlobalLimiter = PartitionedRateLimiter.CreateChained(
                PartitionedRateLimiter.Create<HttpContext, string>(context => Kind(context.Request) switch
                {
                    RequestKind.AccountForm => PerMinute("account:" + Client(context), options.AccountFormsPerMinute),
                    RequestKind.CircuitStart => PerMinute("negotiate:" + Client(context), options.CircuitStartsPerMinute),
                    _ => RateLimitPartition.GetNoLimiter(""),
                }),
                PartitionedRateLimiter.Create<HttpContext, string>(context => Kind(context.Request) == RequestKind.CircuitConnection
                    ? RateLimitPartition.GetConcurrencyLimiter("circuits:" + Client(context),
                        _ => new ConcurrencyLimiterOptions { PermitLimit = options.CircuitsPerClient, QueueLimit = 0 })
                    : RateLimitPartition.GetNoLimiter("")));
            limiter.OnRejected = async (rejected, ct) =>
            {
                var context = rejected.HttpContext;
                var wait = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromMinutes(1);
                var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
                context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(Throttling))
                    .LogWarning("Too many requests from {Client} to {Path}; refused for {Seconds} s", Client(context), context.Request.Path, seconds);
                await new RazorComponentResult<TooManyRequests>(new { Seconds = seconds }) { StatusCode = StatusCodes.Status429TooManyRequests }
                    .ExecuteAsync(context);
            };
        });
    }

    /// <summary>After localization (the 429 page is in the client's language), before the endpoints.</summary>
    public static void UseThrottling(this WebApplication app) => app.UseRateLimiter();

    private enum RequestKind { Other, AccountForm, CircuitStart, CircuitConnection }

    private static RequestKind Kind(HttpRequest request)
    {
        var path = request.Path;
        if (HttpMethods.IsPost(request.Method))
        {
            if (path.StartsWithSegments("/_blazor/negotiate")) return RequestKind.CircuitStart;
            if (path.StartsWithSegments("/Account", StringComparison.OrdinalIgnoreCase) && !path.StartsWithSegments("/Account/Logout", StringComparison.OrdinalIgnoreCase))
                return RequestKind.AccountForm;
        }
        else if (path.StartsWithSegments("/Account/ConfirmEmail", StringComparison.OrdinalIgnoreCase))
        {
            return RequestKind.AccountForm;
        }
        else if (path.Equals("/_blazor", StringComparison.Ordinal))
        {
            return RequestKind.CircuitConnection;
        }
        return RequestKind.Other;
    }

    /// <summary>A bucket that holds a minute's allowance and refills evenly, so a steady user never meets it.</summary>
    private static RateLimitPartition<string> PerMinute(string key, int perMinute) =>
        RateLimitPartition.GetTokenBucketLimiter(key, _ => Evenly(perMinute, TimeSpan.FromMinutes(1)));

    /// <summary>A token bucket that holds <paramref name="count"/> and refills one at a time, evenly over <paramref name="period"/>; no queue.</summary>
    public static TokenBucketRateLimiterOptions Evenly(int count, TimeSpan period) => new()
    {
        TokenLimit = count,
        TokensPerPeriod = 1,
        ReplenishmentPeriod = period / count,
        QueueLimit = 0,
        AutoReplenishment = true,
    };

    /// <summary>The client's address (after <see cref="ProxySetup"/>, the real one behind a configured proxy).</summary>
    public static string Client(HttpContext context) => context.Connection.RemoteIpAddress is { } ip
        ? (ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip).ToString()
        : IPAddress.None.ToString();
}
