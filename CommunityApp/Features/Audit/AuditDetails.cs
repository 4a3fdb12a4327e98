using System.Text.Json;

namespace CommunityApp.Features.Audit;

/// <summary>Turns an entry's JSON details into short readable lines: "minTrustForPolls: 15 → Trusted".</summary>
public static class AuditDetails
{
    public static string Describe(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) return json;
            return string.Join("\n", doc.RootElement.EnumerateObject()
                .Where(p => !p.Name.EndsWith("Id", StringComparison.Ordinal))
                .Select(p => $"{p.Name}: {Value(p.Value)}"));
        }
        catch (JsonException)
        {
            return json;
        }
    }

    private static string Value(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object when value.TryGetProperty("old", out var oldValue) && value.TryGetProperty("new", out var newValue)
            => $"{Scalar(oldValue)} → {Scalar(newValue)}",
        _ => Scalar(value),
    };

    private static string Scalar(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null => "—",
        JsonValueKind.String => string.IsNullOrEmpty(value.GetString()) ? "—" : value.GetString()!,
        JsonValueKind.Array => string.Join(", ", value.EnumerateArray().Select(Scalar)),
        _ => value.GetRawText(),
    };
}
