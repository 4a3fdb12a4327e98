using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using CommunityApp.Auth;
using CommunityApp.Data;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Auth;

/// <summary>
/// The user row an OIDC sign-in lands in (docs/SPEC.md §15), through the app's own Identity set-up: a provider account
/// never takes over a local account by its e-mail, whether it signs in for the first time or changes its e-mail later.
/// </summary>
public sealed class OidcUserSyncTests(AppFactory app) : IClassFixture<AppFactory>
{
    private const string Password = "Local-password-1";

    private async Task<T> InScopeAsync<T>(Func<IServiceProvider, Task<T>> work)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await work(scope.ServiceProvider);
    }

    private Task<ApplicationUser> UpsertAsync(string sub, string? name, string? email, string? preferredUsername) =>
        InScopeAsync(sp => sp.GetRequiredService<OidcUserSync>().UpsertAsync(sub, name, email, preferredUsername));

    /// <summary>A local account with a password whose e-mail was never confirmed: the easiest kind to hijack.</summary>
    private async Task<ApplicationUser> LocalAccountAsync(string name) => await InScopeAsync(async sp =>
    {
        var user = new ApplicationUser { UserName = name, Email = $"{name}@example.test", DisplayName = "Local Lena" };
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
        var sub = "oidc-" + Guid.NewGuid().ToString("N");
        var claimed = $"{name.ToUpperInvariant()}@Example.test";

        var ex = await Should.ThrowAsync<InvalidOperationException>(() => UpsertAsync(sub, "Provider Lena", claimed, name));

        ex.Message.ShouldBe($"The e-mail '{claimed}' already has an account.");
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
        var sub = "oidc-" + Guid.NewGuid().ToString("N");
        var ownEmail = $"{sub}@provider.test";
        await UpsertAsync(sub, "Provider Ola", ownEmail, "ola");

        var ex = await Should.ThrowAsync<InvalidOperationException>(() => UpsertAsync(sub, "Provider Ola", local.Email, "ola"));

        ex.Message.ShouldBe($"The e-mail '{local.Email}' already has an account.");
        (await UserAsync(sub)).ShouldNotBeNull().ShouldSatisfyAllConditions(
            u => u.Email.ShouldBe(ownEmail),
            u => u.NormalizedEmail.ShouldBe(ownEmail.ToUpperInvariant()));
        (await UsersWithEmailAsync(local.Email!)).ShouldHaveSingleItem().Id.ShouldBe(local.Id);
        (await PasswordStillWorksAsync(local)).ShouldBeTrue();
    }

    [Fact]
    public async Task A_provider_user_with_a_fresh_email_gets_a_row_of_its_own_and_later_sign_ins_update_it()
    {
        // The control for the refusals above: the same path with an e-mail nobody has.
        var taken = "mia" + Guid.NewGuid().ToString("N")[..8];
        await LocalAccountAsync(taken);
        var sub = "oidc-" + Guid.NewGuid().ToString("N");
        var email = $"{sub}@provider.test";

        await UpsertAsync(sub, "Mia Provider", email, taken);

        var created = (await UserAsync(sub)).ShouldNotBeNull();
        created.ShouldSatisfyAllConditions(
            u => u.UserName.ShouldBe(taken + "2"),
            u => u.DisplayName.ShouldBe("Mia Provider"),
            u => u.Email.ShouldBe(email),
            u => u.EmailConfirmed.ShouldBeTrue(),
            u => u.PasswordHash.ShouldBeNull());

        await UpsertAsync(sub, "Mia Renamed", email, taken);

        (await UserAsync(sub)).ShouldNotBeNull().ShouldSatisfyAllConditions(
            u => u.DisplayName.ShouldBe("Mia Renamed"),
            u => u.UserName.ShouldBe(taken + "2"));
    }
}
