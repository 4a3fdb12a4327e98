using System.Collections.Concurrent;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Components;

namespace CommunityApp.Components.Shared;

/// <summary>
/// An SVG icon with MudIcon's markup, as one markup frame built once per icon and classes and shared by every circuit.
/// Written out, an icon is an element, its five attributes and its paths: seven render-tree frames, held twice (the last
/// render and the one before) by the component that shows it, in every open tab. The drawer and the community home show
/// some forty, and their buffers are what a circuit mostly holds (docs/ARCHITECTURE.md, "Circuits").
/// Pass MudBlazor's icon constants and fixed class lists only: the cache keeps every pair it is given.
/// </summary>
public static class IconMarkup
{
    /// <summary>MudIcon's classes for a medium icon in the default colour.</summary>
    public const string Default = "mud-icon-root mud-svg-icon mud-icon-size-medium";

    private static readonly ConcurrentDictionary<(string Icon, string Classes), MarkupString> Cache = new();

    /// <summary>The icon, hidden from assistive technology (its text says what it means).</summary>
    public static MarkupString Svg(string icon, string classes = Default) =>
        Cache.GetOrAdd((icon, classes), static key => new MarkupString(
            $"<svg class=\"{HtmlEncoder.Default.Encode(key.Classes)}\" focusable=\"false\" viewBox=\"0 0 24 24\" aria-hidden=\"true\" role=\"img\">{key.Icon}</svg>"));
}
