using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace CommunityApp.Tests.Components;

/// <summary>All interface text comes from resources: every key a page uses exists in English and Spanish.</summary>
public sealed partial class LocalizationTests
{
    [Fact]
    public void Every_key_used_in_a_page_has_English_and_Spanish_text()
    {
        var app = Path.Combine(RepositoryRoot(), "CommunityApp");
        var english = Keys(Path.Combine(app, "Resources", "Strings.resx"));
        var spanish = Keys(Path.Combine(app, "Resources", "Strings.es.resx"));

        var used = Directory.EnumerateFiles(app, "*.razor", SearchOption.AllDirectories)
            .SelectMany(file => KeyPattern().Matches(File.ReadAllText(file)).Select(m => (File: Path.GetFileName(file), Key: m.Groups[1].Value)))
            .ToList();

        used.AddRange(Directory.EnumerateFiles(app, "*.cs", SearchOption.AllDirectories)
            .Where(file => !file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
            .SelectMany(file => CodeKeyPattern().Matches(File.ReadAllText(file)).Select(m => (File: Path.GetFileName(file), Key: m.Groups[1].Value))));
        used.ShouldNotBeEmpty();
        used.Where(u => !english.Contains(u.Key)).ShouldBeEmpty("keys missing from Strings.resx");
        english.Except(spanish).ShouldBeEmpty("keys missing from Strings.es.resx");
        spanish.Except(english).ShouldBeEmpty("keys only in Strings.es.resx");
    }

    [Fact]
    public void Every_enum_value_shown_by_name_has_text()
    {
        var english = Keys(Path.Combine(RepositoryRoot(), "CommunityApp", "Resources", "Strings.resx"));
        IEnumerable<string> Family<T>(string prefix) where T : struct, Enum => Enum.GetNames<T>().Select(n => $"{prefix}.{n}");
        var expected = Family<CommunityApp.Auth.Permission>("Permission")
            .Concat(Family<CommunityApp.Auth.FeatureRole>("FeatureRole"))
            .Concat(Family<CommunityApp.Features.Communities.MemberRole>("Role"))
            .Concat(Family<CommunityApp.Features.Invites.InviteStatus>("InviteStatus"))
            .Concat(Family<CommunityApp.Features.Audit.AuditAction>("AuditAction"))
            .Concat(Family<CommunityApp.Features.Invites.RedeemOutcome>("InviteLink"))
            .Concat(Family<CommunityApp.Features.Notifications.NotificationKind>("Notification"))
            .Concat(Family<CommunityApp.Features.Trust.TrustHistoryAction>("TrustHistory"))
            .Concat(Family<CommunityApp.Auth.Permission>("Verb"))
            .Concat(Family<CommunityApp.Features.Wealth.RequestStatus>("RequestStatus"))
            .Concat(Family<CommunityApp.Features.Wealth.ShareStatus>("ShareStatus"))
            .Concat(Family<CommunityApp.Features.Wealth.WealthKind>("WealthKind"))
            .Concat(Family<CommunityApp.Features.Wealth.ShareSort>("ShareSort"))
            .Concat(Family<CommunityApp.Features.Councils.ContributionStatus>("ContributionStatus"))
            .Concat(Family<CommunityApp.Features.Councils.InitiativeStatus>("InitiativeStatus"))
            .Concat(Family<CommunityApp.Features.Forum.FlagReason>("FlagReason"))
            .Concat(Family<CommunityApp.Features.Forum.ReviewDecision>("Moderation.Reviewed"))
            .Concat(Family<CommunityApp.Features.Councils.InventoryEntryKind>("InventoryEntryKind"))
            .Concat(Family<CommunityApp.Features.Needs.NeedPriority>("NeedPriority"))
            .Concat(Family<CommunityApp.Features.Needs.NeedPriority>("Needs.Heading"))
            .Concat(Family<CommunityApp.Features.Needs.NeedPriority>("Needs.None"))
            .Concat(Family<CommunityApp.Features.Needs.NeedRecurrence>("NeedRecurrence"))
            .Concat(Family<CommunityApp.Features.Needs.NeedRecurrence>("Needs.Total"))
            .Concat(Family<CommunityApp.Features.Needs.NeedStatus>("NeedStatus"))
            .Concat(Family<CommunityApp.Features.Polls.PollKind>("PollKind"))
            .Concat(Family<CommunityApp.Features.Polls.ResultsVisibility>("ResultsVisibility"))
            .Concat(Family<CommunityApp.Features.Disputes.DisputeStatus>("DisputeStatus"))
            .Concat(Family<CommunityApp.Features.Disputes.DisputeSubjectKind>("DisputeSubject"))
            .Concat(Family<CommunityApp.Features.Disputes.MediatorStatus>("MediatorStatus"))
            .Concat(Family<CommunityApp.Features.Disputes.DisputeEventKind>("DisputeEvent"))
            .Concat(Family<CommunityApp.Features.Notifications.NotificationKind>("NotificationType").Where(k => k.Contains("Dispute") || k.EndsWith("RequestConfirmDue")))
            // A recurring share's period in its texts ("5 per week", "None left this week — …"); a one-time share has none.
            .Concat(new[] { "Wealth.PerPeriod", "Wealth.LeftThisPeriod", "Wealth.NoneLeftThisPeriod", "Wealth.UnitsPerPeriod", "Wealth.MaxPerMemberPerPeriod", "Error.MaxPerMemberPerPeriod" }
                .SelectMany(prefix => Family<CommunityApp.Features.Needs.NeedRecurrence>(prefix).Where(k => !k.EndsWith(".Once"))))
            .Concat(Family<CommunityApp.Features.Pools.DistributionStrategy>("DistributionStrategy"))
            .Concat(CommunityApp.Auth.PermissionCatalog.RoleAreas.Select(a => $"RoleArea.{a.Area}"))
            .Concat(CommunityApp.Features.Settings.SettingsPresets.All.Select(p => $"Settings.Preset.{p.Key}"));

        expected.Where(k => !english.Contains(k)).ShouldBeEmpty();
    }

    private static HashSet<string> Keys(string resx) =>
        XDocument.Load(resx).Root!.Elements("data").Select(d => (string)d.Attribute("name")!).ToHashSet();

    [GeneratedRegex("""L\["([A-Za-z]+\.[A-Za-z.]+)"[\],]""")]
    private static partial Regex KeyPattern();

    [GeneratedRegex("""Text\.Get\("([A-Za-z]+\.[A-Za-z.]+)"[,)]""")]
    private static partial Regex CodeKeyPattern();

    [Fact]
    public void Service_messages_follow_the_users_language()
    {
        var previous = System.Globalization.CultureInfo.CurrentUICulture;
        try
        {
            System.Globalization.CultureInfo.CurrentUICulture = new("es");
            CommunityApp.Resources.Text.Get("Error.NeedTrust", 15, CommunityApp.Resources.Text.Get("Verb.AwardTrust"), 12)
                .ShouldBe("Necesitas 15 de confianza para dar confianza; tienes 12.");
            new CommunityApp.Features.Account.LocalizedIdentityErrorDescriber().DuplicateUserName("ben").Description
                .ShouldBe("El nombre de usuario «ben» ya está en uso.");
            CommunityApp.Features.Account.AccountText.PasswordsDiffer.ShouldBe("Las contraseñas no coinciden.");
            System.Globalization.CultureInfo.CurrentUICulture = new("en");
            CommunityApp.Resources.Text.Get("Error.LastAdminLeave").ShouldBe("You are the last admin: make someone else admin before you leave.");
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentUICulture = previous;
        }
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CommunityApp.sln"))) return dir.FullName;
        }
        throw new DirectoryNotFoundException("CommunityApp.sln not found");
    }
}
