using CommunityApp.Features.Profile;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Features.Profile;

public sealed class ProfileServiceTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    private ProfileService Service => fixture.Get<ProfileService>();

    [Fact]
    public async Task A_user_edits_display_name_username_and_bio()
    {
        var id = await fixture.CreateUserAsync();
        var newName = "renamed" + Guid.NewGuid().ToString("N")[..6];

        await Service.UpdateAsync(id, new ProfileInput(" Renamed Person ", newName, " Likes bikes. "));

        var profile = await Service.GetAsync(id);
        profile.DisplayName.ShouldBe("Renamed Person");
        profile.UserName.ShouldBe(newName);
        profile.Bio.ShouldBe("Likes bikes.");
        await using var db = await fixture.NewContextAsync();
        db.Users.Single(u => u.Id == id).NormalizedUserName.ShouldBe(newName.ToUpperInvariant());
    }

    [Theory]
    [InlineData("", "validname", null, "DisplayName")]
    [InlineData("Name", "no spaces allowed", null, "UserName")]
    [InlineData("Name", "ab", null, "UserName")]
    [InlineData("Name", "validname", "BIO_TOO_LONG", "Bio")]
    public async Task Bad_input_is_refused_with_a_field_message_and_changes_nothing(string displayName, string userName, string? bio, string field)
    {
        var id = await fixture.CreateUserAsync();
        var before = await Service.GetAsync(id);
        if (bio == "BIO_TOO_LONG") bio = new string('b', 1001);

        var ex = await Should.ThrowAsync<ValidationFailedException>(() => Service.UpdateAsync(id, new ProfileInput(displayName, userName, bio)));

        ex.Errors.Keys.ShouldContain(field);
        (await Service.GetAsync(id)).ShouldBe(before);
    }

    [Fact]
    public async Task A_bio_over_the_limit_is_refused_with_the_field_message_and_nothing_is_saved()
    {
        var id = await fixture.CreateUserAsync();
        var before = await Service.GetAsync(id);

        var ex = await Should.ThrowAsync<ValidationFailedException>(() =>
            Service.UpdateAsync(id, new ProfileInput("Renamed", before.UserName, new string('b', 40 * 1024))));

        ex.Errors.ShouldBe(new Dictionary<string, string> { ["Bio"] = $"Use at most {ProfileRules.BioMax} characters." });
        (await Service.GetAsync(id)).ShouldBe(before);
    }

    [Fact]
    public async Task A_username_taken_by_someone_else_in_any_case_is_refused()
    {
        var taken = "taken" + Guid.NewGuid().ToString("N")[..6];
        await fixture.CreateUserAsync(taken);
        var id = await fixture.CreateUserAsync();
        var before = await Service.GetAsync(id);

        var ex = await Should.ThrowAsync<ValidationFailedException>(() => Service.UpdateAsync(id, new ProfileInput("Me", taken.ToUpperInvariant(), "New bio")));

        ex.Errors.Keys.ShouldBe(["UserName"]);
        ex.Errors["UserName"].ShouldBe($"The username '{taken.ToUpperInvariant()}' is taken.");
        // Nothing of the refused edit is saved, not even the fields that were valid, and the owner keeps the name.
        (await Service.GetAsync(id)).ShouldBe(before);
        await using var db = await fixture.NewContextAsync();
        db.Users.Where(u => u.NormalizedUserName == taken.ToUpperInvariant()).Select(u => u.UserName).ShouldBe([taken]);
    }

    [Fact]
    public async Task Two_users_claiming_the_same_free_username_at_once_end_with_exactly_one_owner()
    {
        var wanted = "race" + Guid.NewGuid().ToString("N")[..6];
        var users = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => fixture.CreateUserAsync()));

        var results = await Task.WhenAll(users.Select(async id =>
        {
            try
            {
                await Service.UpdateAsync(id, new ProfileInput("Racer", wanted, null));
                return true;
            }
            catch (ValidationFailedException ex) when (ex.Errors.ContainsKey("UserName"))
            {
                return false;
            }
        }));

        results.Count(won => won).ShouldBe(1);
        await using var db = await fixture.NewContextAsync();
        db.Users.Count(u => u.NormalizedUserName == wanted.ToUpperInvariant()).ShouldBe(1);
    }
}
