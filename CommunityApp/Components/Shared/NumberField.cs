using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace CommunityApp.Components.Shared;

/// <summary>
/// A whole-number field of the one action path. MudBlazor's numeric field keeps its last good value when the text is not
/// a number ("1.5", "1e5") and shows a message, so the page would save the old value under the new text. This one tells
/// its <see cref="Action"/> while its text is unreadable: an action over its <see cref="Field"/> then does not run, and the
/// field says why (in the member's language: <see cref="AppMudLocalizer"/>) (docs/ARCHITECTURE.md, "Actions").
/// </summary>
public sealed class NumberField<T> : MudNumericField<T>
{
    /// <summary>The page's action state, which refuses to run while this field's text is not a number.</summary>
    [Parameter, EditorRequired] public ActionState Action { get; set; } = default!;

    /// <summary>The field's key, as in the service's refusals ("units", "decay.fullMonths").</summary>
    [Parameter, EditorRequired] public string Field { get; set; } = "";

    protected override async Task SetTextAndUpdateValueAsync(string? text, bool updateValue = true)
    {
        await base.SetTextAndUpdateValueAsync(text, updateValue);
        Action.SetUnreadable(this, Field, ConversionError ? CommunityApp.Resources.Text.Get("Error.NotAWholeNumber") : null);
    }

    protected override async ValueTask DisposeAsyncCore()
    {
        Action?.SetUnreadable(this, Field, null);
        await base.DisposeAsyncCore();
    }
}
