using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using CommunityApp.Data;
using CommunityApp.Features.Profile;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Browser;

/// <summary>
/// Text far over a field's limit travels over the circuit (40 KB, more than SignalR's default 32 KB message): the service refuses
/// it with the field's message, nothing is saved and nothing claims it was, and the circuit keeps working.
/// </summary>
public sealed class LongTextTests(BrowserFixture browser) : BrowserTest(browser)
{
    [Fact]
    public async Task A_40_KB_bio_is_refused_with_the_field_message_and_the_next_save_works()
    {
        await using var context = await NewContextAsync();
        var page = await context.NewPageAsync();
        await SignUpAsync(page, "longbio", "Long Bio");
        await page.OpenAsync("/profile");
        var bio = page.GetByLabel("About you");
        var save = page.GetByRole(AriaRole.Button, new() { Name = "Save" });
        var saved = page.GetByText("Profile saved.");

        await bio.FillAsync(new string('x', 40 * 1024));
        await save.ClickAsync();

        await Expect(page.GetByText($"Use at most {ProfileRules.BioMax} characters.")).ToBeVisibleAsync();
        await Expect(saved).ToHaveCountAsync(0);
        (await bio.InputValueAsync()).Length.ShouldBe(40 * 1024, "what the user typed stays in the field, uncut");
        (await StoredBioAsync("longbio")).ShouldBeNull();

        // The same circuit still answers: a bio within the limit saves.
        await bio.FillAsync("Fixes bikes.");
        await save.ClickAsync();

        await Expect(saved).ToBeVisibleAsync();
        await Expect(page.GetByText($"Use at most {ProfileRules.BioMax} characters.")).ToHaveCountAsync(0);
        (await StoredBioAsync("longbio")).ShouldBe("Fixes bikes.", "the success message shows after the save committed");
    }

    private async Task<string?> StoredBioAsync(string userName)
    {
        await using var db = await App.Services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync();
        return await db.Users.Where(u => u.UserName == userName).Select(u => u.Bio).SingleAsync();
    }
}
