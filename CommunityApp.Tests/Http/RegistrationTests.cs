using System.Net;
using Microsoft.Extensions.DependencyInjection;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using CommunityApp.Data;
using CommunityApp.Features.Account;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Http;

/// <summary>
/// Registration confirms the e-mail before it counts (docs/SPEC.md §15), and never says whether an address is registered:
/// the forms over HTTP as a browser posts them, the mails read from the log (Development without SMTP).
/// </summary>
public sealed partial class RegistrationTests(AppFactory app) : IClassFixture<AppFactory>
{
    private static string Unique(string prefix) => prefix + Guid.NewGuid().ToString("N")[..8];

    private static Dictionary<string, string> Form(string userName, string email) => new()
    {
        ["Input.DisplayName"] = "New Person", ["Input.UserName"] = userName, ["Input.Email"] = email,
        ["Input.Password"] = AccountForms.Password, ["Input.ConfirmPassword"] = AccountForms.Password,
    };

    /// <summary>Where a redirect goes, as a path (the app answers with absolute URLs on its own origin).</summary>
    private static string Where(HttpResponseMessage response) => response.Headers.Location!.IsAbsoluteUri ? response.Headers.Location.PathAndQuery : response.Headers.Location.OriginalString;

    private static bool SignedIn(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith(".AspNetCore.Identity.Application=", StringComparison.Ordinal));

    private async Task<ApplicationUser?> UserAsync(string userName)
    {
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync();
        return await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.UserName == userName);
    }

    private string[] MailsTo(string email) => app.Logs.Where(l => l.StartsWith($"E-mail to {email}:", StringComparison.Ordinal)).ToArray();

    [Fact]
    public async Task A_NUL_in_a_field_is_answered_with_a_page_that_says_so_and_nothing_is_saved()
    {
        var ct = TestContext.Current.CancellationToken;
        var client = app.FormClient();
        var name = Unique("nul");

        var response = await client.PostFormAsync("/Account/Register", "register", Form(name + "\0b", $"{name}@example.test"), ct);

        // ASP.NET Core cannot read a form value with NUL at all, so no page runs: the answer says so in words and leads back.
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var page = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync(ct));
        page.ShouldContain("This form could not be sent");
        page.ShouldContain("Nothing was saved.");
        page.ShouldContain("href=\"/Account/Register\"");
        page.ShouldNotContain("antiforgery");
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync(ct);
        (await db.Users.CountAsync(u => u.Email == $"{name}@example.test", ct)).ShouldBe(0);
    }

    [Fact]
    public async Task A_new_account_signs_in_only_after_the_link_in_its_mail_confirms_the_email()
    {
        var ct = TestContext.Current.CancellationToken;
        var name = Unique("newbie");
        var client = app.FormClient();

        var registered = await client.PostFormAsync("/Account/Register?returnUrl=%2Fcommunities%2Fnew", "register", Form(name, $"{name}@example.test"), ct);

        Where(registered).ShouldBe("/Account/RegisterConfirmation");
        SignedIn(registered).ShouldBeFalse("an unconfirmed address signs no one in");
        (await UserAsync(name))!.EmailConfirmed.ShouldBeFalse();
        var signIn = await client.PostFormAsync("/Account/Login", "login", new Dictionary<string, string> { ["Input.Login"] = name, ["Input.Password"] = AccountForms.Password }, ct);
        WebUtility.HtmlDecode(await signIn.Content.ReadAsStringAsync(ct)).ShouldContain("Your e-mail is not confirmed yet.");
        SignedIn(signIn).ShouldBeFalse();

        var mail = MailsTo($"{name}@example.test").ShouldHaveSingleItem();
        mail.ShouldContain("Confirm your e-mail for CommunityApp");
        var link = new Uri(WebUtility.HtmlDecode(Link().Match(mail).Value));
        link.AbsolutePath.ShouldBe("/Account/ConfirmEmail");
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(link.Query);

        // Opening the link (as a mail scanner would) changes nothing; the button does.
        (await client.GetAsync(link.PathAndQuery, ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await UserAsync(name))!.EmailConfirmed.ShouldBeFalse();
        var confirmed = await client.PostFormAsync(link.PathAndQuery, "confirm-email", new Dictionary<string, string>
        {
            ["Input.UserId"] = query["userId"]!, ["Input.Code"] = AccountMails.Decode(query["code"]), ["Input.ReturnUrl"] = query["returnUrl"]!,
        }, ct);

        Where(confirmed).ShouldBe("/communities/new");
        SignedIn(confirmed).ShouldBeTrue();
        (await UserAsync(name))!.EmailConfirmed.ShouldBeTrue();
    }

    [Fact]
    public async Task A_damaged_confirmation_code_confirms_nothing_and_offers_a_new_link()
    {
        var ct = TestContext.Current.CancellationToken;
        var name = Unique("damaged");
        var client = app.FormClient();
        await client.PostFormAsync("/Account/Register", "register", Form(name, $"{name}@example.test"), ct);
        var user = (await UserAsync(name))!;

        var response = await client.PostFormAsync($"/Account/ConfirmEmail?userId={user.Id}&code=AAAA", "confirm-email",
            new Dictionary<string, string> { ["Input.UserId"] = user.Id, ["Input.Code"] = "not-the-token" }, ct);

        var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync(ct));
        html.ShouldContain("This confirmation link is invalid or has expired. Ask for a new one.");
        html.ShouldContain("href=\"/Account/ResendConfirmation\"");
        SignedIn(response).ShouldBeFalse();
        (await UserAsync(name))!.EmailConfirmed.ShouldBeFalse();
    }

    [Fact]
    public async Task Registering_an_email_that_has_an_account_answers_as_for_a_new_one_creates_nothing_and_tells_the_owner()
    {
        var ct = TestContext.Current.CancellationToken;
        var owner = await app.CreateUserAsync(Unique("owner"));
        var fresh = Unique("fresh");
        var intruder = Unique("intruder");

        var forNew = await app.FormClient().PostFormAsync("/Account/Register", "register", Form(fresh, $"{fresh}@example.test"), ct);
        var forTaken = await app.FormClient().PostFormAsync("/Account/Register", "register", Form(intruder, owner.Email!.ToUpperInvariant()), ct);

        forTaken.StatusCode.ShouldBe(forNew.StatusCode);
        Where(forTaken).ShouldBe(Where(forNew));
        (await UserAsync(intruder)).ShouldBeNull();
        var toOwner = MailsTo(owner.Email!).ShouldHaveSingleItem();
        toOwner.ShouldContain("Your CommunityApp account");
        toOwner.ShouldContain($"which already belongs to your account (username {owner.UserName})");
        var page = WebUtility.HtmlDecode(await app.FormClient().GetStringAsync("/Account/RegisterConfirmation", ct));
        page.ShouldContain("if it already has an account, it tells you how to sign in");
        page.ShouldNotContain(owner.Email!);
    }

    [Fact]
    public async Task A_taken_username_is_said_the_same_way_whether_or_not_the_email_is_taken()
    {
        var ct = TestContext.Current.CancellationToken;
        var owner = await app.CreateUserAsync(Unique("taken"));

        var takenEmail = await app.FormClient().PostFormAsync("/Account/Register", "register", Form(owner.UserName!, owner.Email!), ct);
        var newEmail = await app.FormClient().PostFormAsync("/Account/Register", "register", Form(owner.UserName!, $"{Unique("other")}@example.test"), ct);

        var expected = $"The username '{owner.UserName}' is taken.";
        var a = WebUtility.HtmlDecode(await takenEmail.Content.ReadAsStringAsync(ct));
        var b = WebUtility.HtmlDecode(await newEmail.Content.ReadAsStringAsync(ct));
        a.ShouldContain(expected);
        b.ShouldContain(expected);
        a.ShouldNotContain("already has an account");
        MailsTo(owner.Email!).ShouldBeEmpty("a refused form sends nothing");
    }

    [Fact]
    public async Task Resending_the_confirmation_answers_the_same_for_any_address_and_mails_only_a_waiting_one()
    {
        var ct = TestContext.Current.CancellationToken;
        var waiting = await app.CreateUserAsync(Unique("waiting"), emailConfirmed: false);
        var confirmed = await app.CreateUserAsync(Unique("done"));

        foreach (var email in new[] { waiting.Email!, confirmed.Email!, $"{Unique("nobody")}@example.test" })
        {
            var response = await app.FormClient().PostFormAsync("/Account/ResendConfirmation", "resend-confirmation", new Dictionary<string, string> { ["Input.Email"] = email }, ct);
            Where(response).ShouldBe("/Account/RegisterConfirmation");
        }

        MailsTo(waiting.Email!).ShouldHaveSingleItem().ShouldContain("/Account/ConfirmEmail?userId=");
        MailsTo(confirmed.Email!).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_password_reset_by_mail_confirms_the_email_it_was_sent_to()
    {
        var ct = TestContext.Current.CancellationToken;
        var user = await app.CreateUserAsync(Unique("resetter"), emailConfirmed: false);
        string code;
        using (var scope = app.Services.CreateScope())
        {
            code = await scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>().GeneratePasswordResetTokenAsync(user);
        }

        var response = await app.FormClient().PostFormAsync($"/Account/ResetPassword?code={Microsoft.AspNetCore.WebUtilities.WebEncoders.Base64UrlEncode(System.Text.Encoding.UTF8.GetBytes(code))}", "reset-password", new Dictionary<string, string>
        {
            ["Input.Email"] = user.Email!, ["Input.Password"] = "Brand-new-Pass-3", ["Input.ConfirmPassword"] = "Brand-new-Pass-3", ["Input.Code"] = code,
        }, ct);

        Where(response).ShouldBe("/Account/ResetPasswordConfirmation");
        (await UserAsync(user.UserName!))!.EmailConfirmed.ShouldBeTrue();
    }

    [GeneratedRegex(@"https?://\S+ConfirmEmail\S+")]
    private static partial Regex Link();
}
