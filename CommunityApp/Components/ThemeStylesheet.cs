using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using MudBlazor;
using CommunityApp.Components.Layout;

namespace CommunityApp.Components;

/// <summary>
/// The theme's CSS (what MudThemeProvider writes: the palette's and typography's variables, the scrollbars), rendered once
/// at start-up and served as a stylesheet under an address that changes with its content, cached by the browser for a year.
/// Every page used to carry it inline: 24 KB of each page's HTML, and the CPU to build it on every request.
/// </summary>
public static partial class ThemeStylesheet
{
    private static (string Path, byte[] Css)? rendered;

    /// <summary>The stylesheet's address, e.g. <c>/theme.1a2b3c4d5e6f.css</c>; set by <see cref="MapThemeStylesheetAsync"/>.</summary>
    public static string Url => rendered?.Path ?? throw new InvalidOperationException("The theme's stylesheet is rendered at start-up (MapThemeStylesheetAsync).");

    /// <summary>Renders the theme with MudThemeProvider, exactly as a page would, and maps its address.</summary>
    public static async Task MapThemeStylesheetAsync(this WebApplication app)
    {
        var css = await RenderAsync(app.Services);
        var bytes = Encoding.UTF8.GetBytes(css);
        var hash = Convert.ToHexStringLower(SHA256.HashData(bytes))[..12];
        var path = $"/theme.{hash}.css";
        rendered = (path, bytes);
        app.MapGet(path, (HttpContext http) =>
        {
            http.Response.Headers.CacheControl = "public, max-age=31536000, immutable";
            return Results.Bytes(bytes, "text/css; charset=utf-8");
        }).AllowAnonymous();
    }

    /// <summary>The CSS inside the &lt;style&gt; elements MudThemeProvider renders for <see cref="AppTheme.Theme"/>.</summary>
    public static async Task<string> RenderAsync(IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        await using var renderer = new HtmlRenderer(scope.ServiceProvider, scope.ServiceProvider.GetRequiredService<ILoggerFactory>());
        var html = await renderer.Dispatcher.InvokeAsync(async () =>
        {
            var output = await renderer.RenderComponentAsync<MudThemeProvider>(
                ParameterView.FromDictionary(new Dictionary<string, object?> { [nameof(MudThemeProvider.Theme)] = AppTheme.Theme }));
            return output.ToHtmlString();
        });
        var styles = StyleElement().Matches(html).Select(m => m.Groups[1].Value.Trim()).ToList();
        if (styles.Count == 0) throw new InvalidOperationException("MudThemeProvider rendered no style.");
        return string.Join("\n", styles) + "\n";
    }

    [GeneratedRegex("<style[^>]*>(.*?)</style>", RegexOptions.Singleline)]
    private static partial Regex StyleElement();
}
