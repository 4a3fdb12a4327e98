using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using CommunityApp.Data;

namespace CommunityApp.Tests.Infrastructure;

/// <summary>The statically rendered account forms over HTTP, as a browser posts them: the page's antiforgery token, its cookie and the form's handler.</summary>
public static partial class AccountForms
{
    public const string Password = "Forms-Pass-1";

    /// <summary>A client that keeps cookies and does not follow redirects, so a test sees each answer.</summary>
    public static HttpClient FormClient(this AppFactory app) =>
        app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    /// <summary>
    /// A client of the app on Kestrel (<see cref="AppFactory.StartKestrel"/>) that connects from <paramref name="localAddress"/>,
    /// one of the loopback addresses 127.0.0.0/8, so the app sees a different client for each: the per-address limits and lockouts.
    /// </summary>
    public static HttpClient ClientFrom(this AppFactory app, string localAddress)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = true,
            CookieContainer = new CookieContainer(),
            ConnectCallback = async (context, ct) =>
            {
                var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
                try
                {
                    socket.Bind(new IPEndPoint(IPAddress.Parse(localAddress), 0));
                    await socket.ConnectAsync(context.DnsEndPoint, ct);
                    return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { BaseAddress = new Uri(app.BaseUrl + "/") };
    }

    public static async Task<ApplicationUser> CreateUserAsync(this AppFactory app, string userName, bool emailConfirmed = true)
    {
        using var scope = app.Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var user = new ApplicationUser { UserName = userName, Email = $"{userName}@example.test", DisplayName = userName, EmailConfirmed = emailConfirmed };
        (await users.CreateAsync(user, Password)).Succeeded.ShouldBeTrue();
        return user;
    }

    /// <summary>
    /// GETs <paramref name="page"/> (relative, or absolute to name the Host), then posts its form <paramref name="handler"/>
    /// with the token it carried. <paramref name="postTo"/> is where the form posts, the page itself unless given.
    /// </summary>
    public static async Task<HttpResponseMessage> PostFormAsync(this HttpClient client, string page, string handler,
        IReadOnlyDictionary<string, string> fields, CancellationToken ct, string? postTo = null)
    {
        var form = await client.GetAsync(page, ct);
        form.StatusCode.ShouldBe(HttpStatusCode.OK, $"{page} renders its form");
        var token = AntiforgeryToken().Match(await form.Content.ReadAsStringAsync(ct));
        token.Success.ShouldBeTrue($"{page} carries an antiforgery token");
        var values = new Dictionary<string, string>(fields) { ["_handler"] = handler, ["__RequestVerificationToken"] = token.Groups[1].Value };
        return await client.PostAsync(postTo ?? page, new FormUrlEncodedContent(values), ct);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();
}
