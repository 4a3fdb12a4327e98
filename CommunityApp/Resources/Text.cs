using System.Globalization;
using System.Resources;

namespace CommunityApp.Resources;

/// <summary>
/// Interface text for code outside components (service refusals, validation messages), from the same
/// Strings.resx the pages use, in the current UI culture — in Blazor Server, the culture of the user's circuit.
/// </summary>
public static class Text
{
    private static readonly ResourceManager Resources = new("CommunityApp.Resources.Strings", typeof(Strings).Assembly);

    public static string Get(string key, params object?[] args)
    {
        var format = Resources.GetString(key, CultureInfo.CurrentUICulture) ?? throw new KeyNotFoundException($"No text for '{key}' in Strings.resx.");
        return args.Length == 0 ? format : string.Format(CultureInfo.CurrentCulture, format, args);
    }
}
