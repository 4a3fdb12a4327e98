using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using CommunityApp.Data;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Http;

/// <summary>
/// The sign-in cookie's security-stamp check (Auth/SecurityStampCheck): Identity's rule, checked only when due, and the
/// user store behind it (with a pooled database context) built only then, not for every request (a circuit's WebSocket is
/// one request for as long as its tab is open, and held one).
/// </summary>
public sealed class SecurityStampTests(AppFactory app) : IClassFixture<AppFactory>
{
    [Fact]
    public async Task A_fresh_cookie_builds_no_user_store_and_a_due_check_still_signs_out_a_changed_stamp()
    {
        var ct = TestContext.Current.CancellationToken;
        var counted = new StoreCounter();

        // The default interval (30 minutes): a cookie just issued is not checked, and nothing of Identity's is built for it.
        await using (var fresh = Counting(app, counted, interval: null))
        {
            var user = await CreateUserAsync(fresh, "stamp-fresh");
            var client = await SignedInAsync(fresh, "stamp-fresh", ct);
            var before = counted.Built;
            for (var i = 0; i < 3; i++) (await client.GetAsync("/communities", ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
            counted.Built.ShouldBe(before, "three signed-in requests built no user store");

            await ChangeStampAsync(fresh, user);
            (await client.GetAsync("/communities", ct)).StatusCode.ShouldBe(HttpStatusCode.OK, "not due yet: Identity's rule");
        }

        // Every request due (interval zero): the check runs, and a changed stamp (a password change elsewhere) signs the cookie out.
        await using (var due = Counting(app, counted, interval: TimeSpan.Zero))
        {
            var user = await CreateUserAsync(due, "stamp-due");
            var client = await SignedInAsync(due, "stamp-due", ct);
            var before = counted.Built;
            (await client.GetAsync("/communities", ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
            counted.Built.ShouldBeGreaterThan(before, "a due check reads the user");

            await ChangeStampAsync(due, user);
            var refused = await client.GetAsync("/communities", ct);
            refused.StatusCode.ShouldBe(HttpStatusCode.Redirect);
            refused.Headers.Location!.ToString().ShouldContain("/Account/Login");
        }
    }

    private sealed class StoreCounter
    {
        private int built;
        public int Built => Volatile.Read(ref built);
        public void Add() => Interlocked.Increment(ref built);
    }

    /// <summary>The app on the fixture's database, with every user store it builds counted, and the check's interval set.</summary>
    private static WebApplicationFactory<Program> Counting(AppFactory app, StoreCounter counter, TimeSpan? interval) =>
        app.WithWebHostBuilder(builder => builder.ConfigureTestServices(services =>
        {
            var store = services.Last(d => d.ServiceType == typeof(IUserStore<ApplicationUser>));
            services.Remove(store);
            services.AddScoped(sp =>
            {
                counter.Add();
                return (IUserStore<ApplicationUser>)ActivatorUtilities.CreateInstance(sp, store.ImplementationType!);
            });
            if (interval is { } every) services.Configure<SecurityStampValidatorOptions>(o => o.ValidationInterval = every);
        }));

    private static async Task<ApplicationUser> CreateUserAsync(WebApplicationFactory<Program> factory, string userName)
    {
        using var scope = factory.Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var user = new ApplicationUser { UserName = userName, Email = $"{userName}@example.test", DisplayName = userName, EmailConfirmed = true };
        (await users.CreateAsync(user, AccountForms.Password)).Succeeded.ShouldBeTrue();
        return user;
    }

    private static async Task ChangeStampAsync(WebApplicationFactory<Program> factory, ApplicationUser user)
    {
        using var scope = factory.Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        (await users.UpdateSecurityStampAsync((await users.FindByIdAsync(user.Id))!)).Succeeded.ShouldBeTrue();
    }

    private static async Task<HttpClient> SignedInAsync(WebApplicationFactory<Program> factory, string userName, CancellationToken ct)
    {
        var client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        var response = await client.PostFormAsync("/Account/Login", "login", new Dictionary<string, string>
        {
            ["Input.Login"] = userName,
            ["Input.Password"] = AccountForms.Password,
        }, ct);
        response.StatusCode.ShouldBe(HttpStatusCode.Redirect, "the sign-in succeeded");
        return client;
    }
}
