using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using CommunityApp.Data;
using CommunityApp.Features.Communities;
using CommunityApp.Features.Profile;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Data;

/// <summary>
/// Names refuse control and format characters (Unicode Cc, Cf) and are stored NFC-normalised (#15 §6), in every place a
/// person types one: registration, the profile, a community's name.
/// </summary>
public sealed class NamesTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    private const string Message = "Use visible characters only: no line breaks, tabs or invisible formatting characters.";

    public static TheoryData<string> Hidden() => ["Ana\u200B", "Garden\u202Egnp.exe", "Two\nlines", "Tab\there", "\uFEFFBom", "Tag\U000E0041"];

    [Theory]
    [MemberData(nameof(Hidden))]
    public async Task A_community_or_display_name_with_hidden_characters_is_refused_and_nothing_is_saved(string name)
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync("Plain name");

        (await Should.ThrowAsync<ValidationFailedException>(() => fixture.Get<CommunityService>().CreateAsync(admin, new(name, null)))).Errors["Name"].ShouldBe(Message);
        (await Should.ThrowAsync<ValidationFailedException>(() => fixture.Get<CommunityService>().UpdateAsync(admin, communityId, new(name, null)))).Errors["Name"].ShouldBe(Message);
        (await Should.ThrowAsync<ValidationFailedException>(() => fixture.Get<ProfileService>().UpdateAsync(admin, new ProfileInput(name, "plainuser" + Random.Shared.Next(100_000), null))))
            .Errors["DisplayName"].ShouldBe(Message);

        await using var db = await fixture.NewContextAsync();
        (await db.Communities.CountAsync(c => c.CreatedBy == admin)).ShouldBe(1);
        (await db.Communities.SingleAsync(c => c.Id == communityId)).Name.ShouldBe("Plain name");
        (await db.Users.SingleAsync(u => u.Id == admin)).DisplayName.ShouldNotBe(name);
    }

    [Fact]
    public async Task A_name_typed_decomposed_is_stored_composed_so_both_spellings_are_one_name()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();

        await fixture.Get<CommunityService>().UpdateAsync(admin, communityId, new("Jose\u0301's garden", null));
        await fixture.Get<ProfileService>().UpdateAsync(admin, new ProfileInput("Rene\u0301e", "renee" + Random.Shared.Next(100_000), null));

        await using var db = await fixture.NewContextAsync();
        (await db.Communities.SingleAsync(c => c.Id == communityId)).Name.ShouldBe("José's garden");
        (await db.Users.SingleAsync(u => u.Id == admin)).DisplayName.ShouldBe("Renée");
    }

    [Fact]
    public void Visible_text_of_every_script_passes_and_only_control_and_format_characters_fail()
    {
        foreach (var ok in new[] { "Ana", "José", "Ολυμπία", "محمد", "李雷", "Zoë 🌱", "O'Brien-Smith" }) Names.HasHiddenCharacters(ok).ShouldBeFalse(ok);
        foreach (var bad in Hidden()) Names.HasHiddenCharacters(bad.Data).ShouldBeTrue();
    }
}

/// <summary>The registration form refuses a display name with hidden characters beside the field, and creates no account.</summary>
public sealed class RegisterNameTests(AppFactory app) : IClassFixture<AppFactory>
{
    [Fact]
    public async Task Registering_with_a_zero_width_space_in_the_name_shows_the_message_and_creates_no_account()
    {
        var ct = TestContext.Current.CancellationToken;
        var response = await app.FormClient().PostFormAsync("/Account/Register", "register", new Dictionary<string, string>
        {
            ["Input.DisplayName"] = "Ana\u200B", ["Input.UserName"] = "hiddenana", ["Input.Email"] = "hiddenana@example.test",
            ["Input.Password"] = "Hidden-Pass-1", ["Input.ConfirmPassword"] = "Hidden-Pass-1",
        }, ct);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync(ct)).ShouldContain("Use visible characters only");
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync(ct);
        (await db.Users.AnyAsync(u => u.UserName == "hiddenana", ct)).ShouldBeFalse();
    }
}
