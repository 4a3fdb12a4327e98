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
            .Concat(CommunityApp.Auth.PermissionCatalog.RoleAreas.Select(a => $"RoleArea.{a.Area}"))
            .Concat(CommunityApp.Features.Settings.SettingsPresets.All.Select(p => $"Settings.Preset.{p.Key}"));

        expected.Where(k => !english.Contains(k)).ShouldBeEmpty();
    }

    private static HashSet<string> Keys(string resx) =>
        XDocument.Load(resx).Root!.Elements("data").Select(d => (string)d.Attribute("name")!).ToHashSet();

    [GeneratedRegex("""L\["([A-Za-z]+\.[A-Za-z.]+)"[\],]""")]
    private static partial Regex KeyPattern();

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CommunityApp.sln"))) return dir.FullName;
        }
        throw new DirectoryNotFoundException("CommunityApp.sln not found");
    }
}
