using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using CommunityApp.Auth;
using CommunityApp.Data;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Auth;

/// <summary>
/// The user row an OIDC sign-in lands in (docs/SPEC.md §15), through the app's own Identity set-up: the provider's account is an
/// external login (provider + sub), never the local id; a provider account never takes over a local account, by its id or by its
/// e-mail; an e-mail is stored, confirmed, only when the provider has verified it.
/// </summary>
public sealed class OidcUserSyncTests(AppFactory app) : IClassFixture<AppFactory>
{
    private const string Password = "Local-password-1";

    private async Task<T> InScopeAsync<T>(Func<IServiceProvider, Task<T>> work)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await work(scope.ServiceProvider);
    }

    private Task<ApplicationUser> UpsertAsync(string sub, string? name, string? email, string? preferredUsername, bool emailVerified = true) =>
        InScopeAsync(sp => sp.GetRequiredService<OidcUserSync>().UpsertAsync(new OidcClaims(sub, name, email, emailVerified, preferredUsername)));

    private static string NewSub() => "oidc-" + Guid.NewGuid().ToString("N");

    /// <summary>A local account with a password whose e-mail was never confirmed: the easiest kind to hijack.</summary>
    private async Task<ApplicationUser> LocalAccountAsync(string name, string? id = null) => await InScopeAsync(async sp =>
    {
        var user = new ApplicationUser { UserName = name, Email = $"{name}@example.test", DisplayName = "Local Lena" };
        if (id is not null) user.Id = id;
        (await sp.GetRequiredService<UserManager<ApplicationUser>>().CreateAsync(user, Password)).Succeeded.ShouldBeTrue();
        return user;
    });

    private async Task<List<ApplicationUser>> UsersWithEmailAsync(string email) => await InScopeAsync(async sp =>
    {
        var normalized = email.ToUpperInvariant();
        return await sp.GetRequiredService<AppDbContext>().Users.AsNoTracking().Where(u => u.NormalizedEmail == normalized).ToListAsync();
    });

    private async Task<ApplicationUser?> UserAsync(string id) =>
        await InScopeAsync(sp => sp.GetRequiredService<AppDbContext>().Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == id));

    /// <summary>The login rows (provider, key → user) the provider's <paramref name="sub"/> has.</summary>
    private async Task<List<IdentityUserLogin<string>>> LoginsForAsync(string sub) =>
        await InScopeAsync(sp => sp.GetRequiredService<AppDbContext>().UserLogins.AsNoTracking().Where(l => l.ProviderKey == sub).ToListAsync());

    private async Task<ApplicationUser> UserOfLoginAsync(string sub)
    {
        var login = (await LoginsForAsync(sub)).ShouldHaveSingleItem();
        login.LoginProvider.ShouldBe(AuthSetup.OidcScheme);
        return (await UserAsync(login.UserId)).ShouldNotBeNull();
    }

    private async Task<bool> PasswordStillWorksAsync(ApplicationUser local) => await InScopeAsync(async sp =>
    {
        var users = sp.GetRequiredService<UserManager<ApplicationUser>>();
        return await users.CheckPasswordAsync((await users.FindByIdAsync(local.Id))!, Password);
    });

    [Fact]
    public async Task A_first_provider_sign_in_with_the_email_of_a_local_account_is_refused_and_changes_no_row()
    {
        var name = "lena" + Guid.NewGuid().ToString("N")[..8];
        var local = await LocalAccountAsync(name);
        var sub = NewSub();
        var claimed = $"{name.ToUpperInvariant()}@Example.test";

        var ex = await Should.ThrowAsync<OidcSignInRefusedException>(() => UpsertAsync(sub, "Provider Lena", claimed, name));

        ex.Code.ShouldBe(OidcSignInRefusedException.EmailTaken);
        ex.Message.ShouldBe($"The e-mail '{claimed}' already has an account.");
        (await LoginsForAsync(sub)).ShouldBeEmpty();
        (await UserAsync(sub)).ShouldBeNull();
        var owner = (await UsersWithEmailAsync(claimed)).ShouldHaveSingleItem();
        owner.ShouldSatisfyAllConditions(
            u => u.Id.ShouldBe(local.Id),
            u => u.DisplayName.ShouldBe("Local Lena"),
            u => u.EmailConfirmed.ShouldBeFalse(),
            u => u.SecurityStamp.ShouldBe(local.SecurityStamp));
        (await PasswordStillWorksAsync(local)).ShouldBeTrue();
    }

    [Fact]
    public async Task A_provider_user_whose_email_changes_to_a_local_accounts_is_refused_and_keeps_its_own()
    {
        var name = "ola" + Guid.NewGuid().ToString("N")[..8];
        var local = await LocalAccountAsync(name);
        var sub = NewSub();
        var ownEmail = $"{sub}@provider.test";
        await UpsertAsync(sub, "Provider Ola", ownEmail, "ola");

        var ex = await Should.ThrowAsync<OidcSignInRefusedException>(() => UpsertAsync(sub, "Provider Ola", local.Email, "ola"));

        ex.Code.ShouldBe(OidcSignInRefusedException.EmailTaken);
        ex.Message.ShouldBe($"The e-mail '{local.Email}' already has an account.");
        (await UserOfLoginAsync(sub)).ShouldSatisfyAllConditions(
            u => u.Email.ShouldBe(ownEmail),
            u => u.NormalizedEmail.ShouldBe(ownEmail.ToUpperInvariant()));
        (await UsersWithEmailAsync(local.Email!)).ShouldHaveSingleItem().Id.ShouldBe(local.Id);
        (await PasswordStillWorksAsync(local)).ShouldBeTrue();
    }

    [Fact]
    public async Task A_provider_user_with_a_fresh_email_gets_a_row_of_its_own_and_later_sign_ins_find_it_through_the_login()
    {
        // The control for the refusals above: the same path with an e-mail nobody has.
        var taken = "mia" + Guid.NewGuid().ToString("N")[..8];
        await LocalAccountAsync(taken);
        var sub = NewSub();
        var email = $"{sub}@provider.test";

        var first = await UpsertAsync(sub, "Mia Provider", email, taken);

        var created = await UserOfLoginAsync(sub);
        created.ShouldSatisfyAllConditions(
            u => u.Id.ShouldBe(first.Id),
            u => u.Id.ShouldNotBe(sub, "the local id is the app's own, never the provider's sub"),
            u => Guid.TryParse(u.Id, out _).ShouldBeTrue(),
            u => u.UserName.ShouldBe(taken + "2"),
            u => u.DisplayName.ShouldBe("Mia Provider"),
            u => u.Email.ShouldBe(email),
            u => u.EmailConfirmed.ShouldBeTrue(),
            u => u.PasswordHash.ShouldBeNull());
        (await UserAsync(sub)).ShouldBeNull();

        var second = await UpsertAsync(sub, "Mia Renamed", email, taken);

        second.Id.ShouldBe(first.Id);
        (await UserOfLoginAsync(sub)).ShouldSatisfyAllConditions(
            u => u.Id.ShouldBe(first.Id),
            u => u.DisplayName.ShouldBe("Mia Renamed"),
            u => u.UserName.ShouldBe(taken + "2"));
        (await UsersWithEmailAsync(email)).ShouldHaveSingleItem();
    }

    [Fact]
    public async Task A_sub_equal_to_a_local_accounts_id_gets_an_account_of_its_own_and_leaves_the_local_one_alone()
    {
        var name = "nia" + Guid.NewGuid().ToString("N")[..8];
        var sub = NewSub();
        var local = await LocalAccountAsync(name, id: sub);

        var signedIn = await UpsertAsync(sub, "Provider Nia", $"{sub}@provider.test", "nia");

        signedIn.Id.ShouldNotBe(local.Id);
        (await UserOfLoginAsync(sub)).Id.ShouldBe(signedIn.Id);
        (await UserAsync(local.Id)).ShouldNotBeNull().ShouldSatisfyAllConditions(
            u => u.DisplayName.ShouldBe("Local Lena"),
            u => u.Email.ShouldBe(local.Email),
            u => u.SecurityStamp.ShouldBe(local.SecurityStamp));
        (await PasswordStillWorksAsync(local)).ShouldBeTrue();

        // And again: the second sign-in goes through the login, still not to the local account.
        (await UpsertAsync(sub, "Provider Nia", $"{sub}@provider.test", "nia")).Id.ShouldBe(signedIn.Id);
        (await LoginsForAsync(sub)).ShouldHaveSingleItem().UserId.ShouldBe(signedIn.Id);
    }

    [Fact]
    public async Task A_legacy_provider_user_keyed_by_its_sub_is_linked_to_its_login_on_the_next_sign_in()
    {
        // Created the old way: id = sub, no password, no login row.
        var sub = NewSub();
        await InScopeAsync(async sp =>
        {
            var legacy = new ApplicationUser(sub) { UserName = "legacy" + sub[5..13], Email = $"{sub}@provider.test", EmailConfirmed = true, DisplayName = "Old Name" };
            (await sp.GetRequiredService<UserManager<ApplicationUser>>().CreateAsync(legacy)).Succeeded.ShouldBeTrue();
            return legacy;
        });

        var signedIn = await UpsertAsync(sub, "New Name", $"{sub}@provider.test", "legacy");

        signedIn.Id.ShouldBe(sub);
        (await UserOfLoginAsync(sub)).ShouldSatisfyAllConditions(
            u => u.Id.ShouldBe(sub),
            u => u.DisplayName.ShouldBe("New Name"));
        (await UpsertAsync(sub, "New Name", $"{sub}@provider.test", "legacy")).Id.ShouldBe(sub);
        (await LoginsForAsync(sub)).ShouldHaveSingleItem();
    }

    [Fact]
    public async Task An_unverified_email_is_not_stored_and_does_not_block_the_sign_in()
    {
        var sub = NewSub();
        var email = $"{sub}@provider.test";

        var user = await UpsertAsync(sub, "Una Verified", email, "una", emailVerified: false);

        (await UserOfLoginAsync(sub)).ShouldSatisfyAllConditions(
            u => u.Id.ShouldBe(user.Id),
            u => u.Email.ShouldBeNull(),
            u => u.EmailConfirmed.ShouldBeFalse());
        (await UsersWithEmailAsync(email)).ShouldBeEmpty();

        // Once the provider verifies it, it is stored as confirmed.
        await UpsertAsync(sub, "Una Verified", email, "una", emailVerified: true);
        (await UserOfLoginAsync(sub)).ShouldSatisfyAllConditions(
            u => u.Email.ShouldBe(email),
            u => u.EmailConfirmed.ShouldBeTrue());
    }

    [Fact]
    public async Task An_unverified_email_of_a_local_account_signs_in_without_it_and_leaves_the_local_account_alone()
    {
        var name = "vic" + Guid.NewGuid().ToString("N")[..8];
        var local = await LocalAccountAsync(name);
        var sub = NewSub();

        var user = await UpsertAsync(sub, "Provider Vic", local.Email, name, emailVerified: false);

        user.Id.ShouldNotBe(local.Id);
        (await UserOfLoginAsync(sub)).Email.ShouldBeNull();
        (await UsersWithEmailAsync(local.Email!)).ShouldHaveSingleItem().Id.ShouldBe(local.Id);
        (await PasswordStillWorksAsync(local)).ShouldBeTrue();
    }

    [Fact]
    public async Task An_unverified_email_change_keeps_the_verified_email_already_stored()
    {
        var sub = NewSub();
        var verified = $"{sub}@provider.test";
        await UpsertAsync(sub, "Wes", verified, "wes");

        await UpsertAsync(sub, "Wes", $"other-{sub}@provider.test", "wes", emailVerified: false);

        (await UserOfLoginAsync(sub)).ShouldSatisfyAllConditions(
            u => u.Email.ShouldBe(verified),
            u => u.EmailConfirmed.ShouldBeTrue());
    }

    [Fact]
    public async Task Users_may_have_no_email_but_an_email_that_is_set_stays_valid_and_unique()
    {
        var name = "xia" + Guid.NewGuid().ToString("N")[..8];
        var local = await LocalAccountAsync(name);
        var errors = await InScopeAsync(async sp =>
        {
            var users = sp.GetRequiredService<UserManager<ApplicationUser>>();
            var duplicate = await users.CreateAsync(new ApplicationUser { UserName = name + "b", Email = local.Email, DisplayName = "Dup" });
            var invalid = await users.CreateAsync(new ApplicationUser { UserName = name + "c", Email = "not-an-address", DisplayName = "Bad" });
            var none = await users.CreateAsync(new ApplicationUser { UserName = name + "d", DisplayName = "None" });
            return (duplicate, invalid, none);
        });

        errors.duplicate.Errors.ShouldHaveSingleItem().Code.ShouldBe("DuplicateEmail");
        errors.invalid.Errors.ShouldHaveSingleItem().Code.ShouldBe("InvalidEmail");
        errors.none.Succeeded.ShouldBeTrue();
    }

    [Theory]
    [InlineData("true", ClaimValueTypes.Boolean, true)]
    [InlineData("True", ClaimValueTypes.String, true)]
    [InlineData("false", ClaimValueTypes.Boolean, false)]
    [InlineData("yes", ClaimValueTypes.String, false)]
    [InlineData(null, null, false)]
    public void Email_verified_counts_only_when_it_is_true(string? value, string? type, bool expected)
    {
        var claims = new List<Claim> { new("sub", "s"), new("email", "a@b.test") };
        if (value is not null) claims.Add(new Claim("email_verified", value, type));

        OidcClaims.From(new ClaimsPrincipal(new ClaimsIdentity(claims, "test")), "s").EmailVerified.ShouldBe(expected);
    }
}
