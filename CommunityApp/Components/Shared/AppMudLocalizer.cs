using Microsoft.Extensions.Localization;
using MudBlazor;

namespace CommunityApp.Components.Shared;

/// <summary>
/// MudBlazor's own texts in the member's language, from the app's resources. Without it a Spanish page shows MudBlazor's
/// English ("Not a valid number"). Keys without a translation here fall back to MudBlazor's English.
/// </summary>
public sealed class AppMudLocalizer : MudLocalizer
{
    private static readonly Dictionary<string, string> Keys = new()
    {
        ["Converter_InvalidNumber"] = "Error.NotAWholeNumber",
    };

    public override LocalizedString this[string key] =>
        Keys.TryGetValue(key, out var ours) ? new LocalizedString(key, CommunityApp.Resources.Text.Get(ours)) : new LocalizedString(key, key, resourceNotFound: true);
}
