using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace CommunityApp.Auth;

/// <summary>Settings under <c>App:</c>.</summary>
public sealed class PublicUrlOptions
{
    public const string Section = "App";

    /// <summary>
    /// The address people open the app at (behind the proxy, if any), e.g. <c>https://community.example.org/</c>.
    /// Every absolute link the app hands out (password-reset and invite mails, invite links) is built on it, never on the
    /// request's Host header. Required outside Development.
    /// </summary>
    public string? PublicBaseUrl { get; set; }
}

/// <summary>Each refusal names the setting to fix, so a failed start-up says what to do (as <see cref="SmtpOptionsValidator"/>).</summary>
public sealed class PublicUrlOptionsValidator(IHostEnvironment environment) : IValidateOptions<PublicUrlOptions>
{
    public ValidateOptionsResult Validate(string? name, PublicUrlOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.PublicBaseUrl))
        {
            return environment.IsDevelopment()
                ? ValidateOptionsResult.Success
                : ValidateOptionsResult.Fail("App:PublicBaseUrl is not set. Outside Development links in mail (password resets, invites) are built on it, " +
                    "never on the Host a request names: set App:PublicBaseUrl (environment variable App__PublicBaseUrl) to the address people open, " +
                    "e.g. https://community.example.org/.");
        }
        return PublicUrls.TryParse(options.PublicBaseUrl, out _)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"App:PublicBaseUrl must be an absolute http or https URL without query or fragment, e.g. https://community.example.org/ " +
                $"(it is \"{options.PublicBaseUrl}\"; environment variable App__PublicBaseUrl).");
    }
}

/// <summary>
/// Absolute links on the app's public address: <c>App:PublicBaseUrl</c> when set, otherwise (Development only, the
/// validator sees to that) the address the server listens on, or <c>http://localhost/</c> where there is no server (tests, the demo seed).
/// </summary>
public sealed class PublicUrls(IOptions<PublicUrlOptions> options, IServiceProvider services)
{
    private static readonly Uri Fallback = new("http://localhost/");
    private Uri? resolved;

    /// <summary>The base, always ending in "/".</summary>
    public Uri Base => resolved ?? Resolve();

    /// <summary>An app path ("Account/ResetPassword?code=…", a leading "/" or not) as an absolute URL on <see cref="Base"/>.</summary>
    public string Absolute(string path) => new Uri(Base, path.TrimStart('/')).AbsoluteUri;

    /// <summary>An absolute http(s) URL without query or fragment, normalised to end in "/" so app paths append to it.</summary>
    public static bool TryParse(string? value, out Uri uri)
    {
        uri = Fallback;
        if (!Uri.TryCreate(value?.Trim(), UriKind.Absolute, out var parsed)
            || (parsed.Scheme != Uri.UriSchemeHttp && parsed.Scheme != Uri.UriSchemeHttps)
            || parsed.Query.Length > 0 || parsed.Fragment.Length > 0 || parsed.UserInfo.Length > 0)
        {
            return false;
        }
        uri = parsed.AbsolutePath.EndsWith('/') ? parsed : new Uri(parsed.GetLeftPart(UriPartial.Path) + "/");
        return true;
    }

    private Uri Resolve()
    {
        if (TryParse(options.Value.PublicBaseUrl, out var configured)) return resolved = configured;
        // Development without the setting: the app's own address, known once the server listens (the fallback is not kept).
        var addresses = services.GetService<IServer>()?.Features.Get<IServerAddressesFeature>()?.Addresses;
        var address = addresses?.FirstOrDefault(a => a.StartsWith("https:", StringComparison.OrdinalIgnoreCase)) ?? addresses?.FirstOrDefault();
        if (address is null) return Fallback;
        // Kestrel names wildcard bindings "+", "*", "0.0.0.0" or "[::]"; a link needs a host.
        var own = new UriBuilder(address.Replace("://+", "://localhost").Replace("://*", "://localhost"));
        if (own.Host is "0.0.0.0" or "[::]" or "::") own.Host = "localhost";
        return TryParse(own.Uri.AbsoluteUri, out var listening) ? resolved = listening : Fallback;
    }
}

public static class PublicUrlSetup
{
    /// <summary>Binds and validates <c>App:PublicBaseUrl</c> at start-up (required outside Development); <see cref="PublicUrls"/> itself is registered by <c>AddFeatures</c>.</summary>
    public static void AddPublicUrls(this WebApplicationBuilder builder)
    {
        // Checked while the app is built, before the host starts: a refusal then ends start-up with its own message,
        // not racing the host's shutdown. ValidateOnStart stays for configuration that changes later.
        var configured = builder.Configuration.GetSection(PublicUrlOptions.Section).Get<PublicUrlOptions>() ?? new();
        var result = new PublicUrlOptionsValidator(builder.Environment).Validate(Options.DefaultName, configured);
        if (result.Failed) throw new OptionsValidationException(Options.DefaultName, typeof(PublicUrlOptions), result.Failures);
        builder.Services.AddSingleton<IValidateOptions<PublicUrlOptions>, PublicUrlOptionsValidator>();
        builder.Services.AddOptions<PublicUrlOptions>().BindConfiguration(PublicUrlOptions.Section).ValidateOnStart();
    }
}
