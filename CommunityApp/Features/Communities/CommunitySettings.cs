using System.Text.Json;
using System.Text.Json.Serialization;
using CommunityApp.Auth;

namespace CommunityApp.Features.Communities;

/// <summary>
/// Every tunable of a community (docs/SPEC.md §3.3, §4.6, §13), stored as one JSON document. Defaults live here,
/// so a document missing a key (an older row) reads as the default.
/// </summary>
public sealed class CommunitySettings
{
    /// <summary>Keyed by setting name (<c>minTrustToAwardTrust</c> …), see <see cref="PermissionCatalog"/>.</summary>
    public Dictionary<string, Threshold> Thresholds { get; set; } =
        PermissionCatalog.All.ToDictionary(p => p.SettingName, p => Threshold.Number(p.DefaultThreshold));

    public DecaySettings Decay { get; set; } = new();
    public AnalyticsSettings Analytics { get; set; } = new();

    /// <summary>Users who may create polls whatever their trust (user ids).</summary>
    public List<string> PollCreatorUsers { get; set; } = [];

    /// <summary>Councils whose managers handle disputes (council ids).</summary>
    public List<Guid> DisputeHandlingCouncils { get; set; } = [];

    /// <summary>A request accepted this many days ago and neither fulfilled nor failed asks both parties to confirm (docs/SPEC.md §12).</summary>
    public int RequestConfirmDays { get; set; } = 14;

    /// <summary>Forum content hides itself once it has this many flags (docs/SPEC.md §10).</summary>
    public int FlagsToAutoHide { get; set; } = 5;

    /// <summary>The value units each member may grant others in a calendar month (UTC) as peer recognition (docs/SPEC.md §18).</summary>
    public int RecognitionMonthlyBudget { get; set; } = 20;

    public Threshold ThresholdFor(Permission permission)
    {
        var definition = PermissionCatalog.Get(permission);
        return Thresholds.TryGetValue(definition.SettingName, out var threshold) ? threshold : Threshold.Number(definition.DefaultThreshold);
    }

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static CommunitySettings FromJson(string json) => JsonSerializer.Deserialize<CommunitySettings>(json, Json) ?? new();
}

public enum ThresholdType
{
    Number = 0,
    Level = 1,
}

/// <summary>
/// A trust threshold: <c>{"type":"number","value":15}</c> or <c>{"type":"level","value":"&lt;level id&gt;"}</c>.
/// A level threshold follows its level when an admin renames it or changes its minimum.
/// </summary>
[JsonConverter(typeof(ThresholdJsonConverter))]
public sealed record Threshold(ThresholdType Type, int Value, Guid? LevelId)
{
    public static Threshold Number(int value) => new(ThresholdType.Number, value, null);
    public static Threshold Level(Guid levelId) => new(ThresholdType.Level, 0, levelId);
}

internal sealed class ThresholdJsonConverter : JsonConverter<Threshold>
{
    public override Threshold Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var doc = JsonDocument.ParseValue(ref reader);
        var root = doc.RootElement;
        var type = root.GetProperty("type").GetString();
        var value = root.GetProperty("value");
        return type switch
        {
            "number" => Threshold.Number(value.GetInt32()),
            "level" => Threshold.Level(value.GetGuid()),
            _ => throw new JsonException($"Unknown threshold type '{type}'."),
        };
    }

    public override void Write(Utf8JsonWriter writer, Threshold threshold, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        if (threshold.Type == ThresholdType.Level)
        {
            writer.WriteString("type", "level");
            writer.WriteString("value", threshold.LevelId!.Value);
        }
        else
        {
            writer.WriteString("type", "number");
            writer.WriteNumber("value", threshold.Value);
        }
        writer.WriteEndObject();
    }
}

/// <summary>Award decay (docs/SPEC.md §4.6), off by default.</summary>
public sealed class DecaySettings
{
    public bool Enabled { get; set; }
    public int FullMonths { get; set; } = 6;
    public int ExpireMonths { get; set; } = 12;
}

/// <summary>Health dashboard settings (docs/SPEC.md §13).</summary>
public sealed class AnalyticsSettings
{
    public int NonContributionThresholdDays { get; set; } = 30;
    public int DashboardRefreshInterval { get; set; } = 300;
    public MetricVisibilitySettings MetricVisibilitySettings { get; set; } = new();
}

/// <summary>Which metrics members without admin rights see on the dashboard.</summary>
public sealed class MetricVisibilitySettings
{
    public bool ShowActiveMembers { get; set; } = true;
    public bool ShowWealthGeneration { get; set; } = true;
    public bool ShowTrustNetwork { get; set; } = true;
    public bool ShowCouncilActivity { get; set; } = true;
    public bool ShowNeedsFulfillment { get; set; } = true;
    public bool ShowDisputeRate { get; set; } = false;
}
