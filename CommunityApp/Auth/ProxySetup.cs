using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace CommunityApp.Auth;

/// <summary>
/// Running behind a TLS-terminating reverse proxy: <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> are believed only
/// from the proxies named under <c>ForwardedHeaders:</c> (loopback when none is named), so the app sees the client's
/// address and https (HSTS, Secure cookies, wss: for the circuit). The Host header is the proxy's to pass on unchanged;
/// <c>AllowedHosts</c> limits which hosts are served, and links in mail never come from it (<see cref="PublicUrls"/>).
/// </summary>
public static class ProxySetup
{
    public const string Section = "ForwardedHeaders";

    public static void AddProxySupport(this WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(Section);
        // Parsed now, so a wrong entry stops start-up with its setting's name.
        var proxies = List(section, "KnownProxies").Select(p => IPAddress.TryParse(p, out var ip) ? ip : throw Wrong("KnownProxies", p, "an IP address, e.g. 10.0.0.5")).ToList();
        var networks = List(section, "KnownNetworks").Select(n => System.Net.IPNetwork.TryParse(n, out var net) ? net : throw Wrong("KnownNetworks", n, "a network in CIDR form, e.g. 10.0.0.0/8")).ToList();
        builder.Services.Configure<ForwardedHeadersOptions>(options =>
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            if (proxies.Count + networks.Count == 0) return; // the defaults: loopback only
            options.KnownProxies.Clear();
            options.KnownIPNetworks.Clear();
            foreach (var proxy in proxies) options.KnownProxies.Add(proxy);
            foreach (var network in networks) options.KnownIPNetworks.Add(network);
        });
    }

    /// <summary>First in the pipeline, so everything after it sees the forwarded scheme and client address.</summary>
    public static void UseProxySupport(this WebApplication app)
    {
        app.UseForwardedHeaders();
        if (!app.Environment.IsDevelopment() && app.Configuration["AllowedHosts"] is null or "*")
        {
            app.Logger.LogWarning("AllowedHosts is \"*\": requests naming any Host are served. Set AllowedHosts to the public host name (e.g. community.example.org)");
        }
    }

    /// <summary>A list either as children (<c>ForwardedHeaders__KnownProxies__0</c>) or as one value separated by commas or semicolons.</summary>
    private static IEnumerable<string> List(IConfigurationSection section, string key)
    {
        var entry = section.GetSection(key);
        var values = entry.Value is { } single ? [single] : entry.GetChildren().Select(c => c.Value ?? "");
        return values.SelectMany(v => v.Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    private static InvalidOperationException Wrong(string key, string value, string expected) =>
        new($"{Section}:{key} has \"{value}\", which is not {expected} (environment variable {Section}__{key}__0).");
}
