using System.Text.Json;
using CommunityApp.Auth;
using CommunityApp.Features.Communities;

namespace CommunityApp.Tests.Features.Communities;

public sealed class CommunitySettingsTests
{
    [Fact]
    public void Thresholds_are_stored_as_number_or_level_objects()
    {
        var levelId = Guid.NewGuid();
        var settings = new CommunitySettings();
        settings.Thresholds["minTrustForPolls"] = Threshold.Level(levelId);

        using var json = JsonDocument.Parse(settings.ToJson());
        var thresholds = json.RootElement.GetProperty("thresholds");

        thresholds.GetProperty("minTrustToAwardTrust").GetRawText().ShouldBe("""{"type":"number","value":15}""");
        thresholds.GetProperty("minTrustForPolls").GetRawText().ShouldBe($$"""{"type":"level","value":"{{levelId}}"}""");
        thresholds.EnumerateObject().Count().ShouldBe(16);
        CommunitySettings.FromJson(settings.ToJson()).ThresholdFor(Permission.CreatePolls).ShouldBe(Threshold.Level(levelId));
    }

    [Fact]
    public void Every_default_threshold_matches_the_spec_table()
    {
        var expected = new Dictionary<string, int>
        {
            ["minTrustToAwardTrust"] = 15, ["minTrustForWealth"] = 10, ["minTrustForNeeds"] = 5, ["minTrustForPolls"] = 15,
            ["minTrustForDisputes"] = 20, ["minTrustForPoolCreation"] = 20, ["minTrustForCouncilCreation"] = 25,
            ["minTrustForItemManagement"] = 20, ["minTrustForHealthAnalytics"] = 20, ["minTrustForThreadCreation"] = 10,
            ["minTrustForFlagging"] = 15, ["minTrustForFlagReview"] = 30, ["minTrustForForumModeration"] = 30, ["minTrustForCheckoutLinks"] = 5,
            ["minTrustForSkillEndorsement"] = 10, ["minTrustForRecognition"] = 10,
        };

        new CommunitySettings().Thresholds.ToDictionary(t => t.Key, t => t.Value.Value).ShouldBe(expected, ignoreOrder: true);
    }

    [Fact]
    public void A_document_missing_keys_reads_them_as_defaults()
    {
        var settings = CommunitySettings.FromJson("""{"decay":{"enabled":true}}""");

        settings.Decay.Enabled.ShouldBeTrue();
        settings.Decay.FullMonths.ShouldBe(6);
        settings.Analytics.NonContributionThresholdDays.ShouldBe(30);
        settings.Analytics.MetricVisibilitySettings.ShowActiveMembers.ShouldBeTrue();
        settings.ThresholdFor(Permission.ModerateForum).ShouldBe(Threshold.Number(30));
        settings.PollCreatorUsers.ShouldBeEmpty();
        settings.DisputeHandlingCouncils.ShouldBeEmpty();
    }

    [Fact]
    public void An_unknown_threshold_type_is_an_error_not_a_silent_zero()
    {
        Should.Throw<JsonException>(() => CommunitySettings.FromJson("""{"thresholds":{"minTrustForPolls":{"type":"banana","value":3}}}"""));
    }
}
