using System.Text.RegularExpressions;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using Ganss.Xss;
using Markdig;

namespace CommunityApp.Components.Shared;

/// <summary>
/// The one way user markdown becomes HTML (docs/SPEC.md §10: no script ever runs from user content): Markdig with
/// CommonMark, pipe tables and autolinks, raw HTML switched off (it shows as text), then HtmlSanitizer on an allow-list of
/// plain text tags. Links keep only http, https, mailto or relative addresses and get <c>rel="nofollow noopener ugc"</c>;
/// a link whose address is refused keeps its text; images stay only when they come from the app's own <c>/images/</c>
/// path; no class, style or id survives. Input nested beyond Markdig's depth limit is shown as plain text. Thread-safe
/// (the pipeline and sanitizer are configured once and only read).
/// </summary>
public static partial class MarkdownRenderer
{
    /// <summary>The only place images may come from: the app's own relative path.</summary>
    public const string ImagePathPrefix = "/images/";

    public const string LinkRel = "nofollow noopener ugc";

    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .UsePipeTables()
        .UseAutoLinks()
        .DisableHtml()
        .Build();

    private static readonly HtmlSanitizer Sanitizer = CreateSanitizer();

    /// <summary>Safe HTML for <paramref name="markdown"/> (empty for null or blank text).</summary>
    public static string Render(string? markdown)
    {
        if (string.IsNullOrWhiteSpace(markdown))
        {
            return "";
        }
        string html;
        try
        {
            html = Markdig.Markdown.ToHtml(markdown, Pipeline);
        }
        catch (ArgumentException)
        {
            // Markdig refuses input nested beyond its depth limit (thousands of "> " or "["): show it as the text it is.
            html = "<p>" + System.Net.WebUtility.HtmlEncode(markdown) + "</p>";
        }
        return Sanitizer.Sanitize(html);
    }

    /// <summary>
    /// <see cref="Render(string?)"/>, then each <c>@username</c> in the text (not inside a link or code) whose upper-cased
    /// name is in <paramref name="mentions"/> becomes a link to the address given there. Only the app's own relative
    /// addresses are used (one starting with a single "/"); anything else leaves the words as they are. The links are added
    /// to the sanitized HTML, so nothing the user typed gets past the sanitizer.
    /// </summary>
    public static string Render(string? markdown, IReadOnlyDictionary<string, string>? mentions)
    {
        var html = Render(markdown);
        return mentions is { Count: > 0 } && html.Contains('@') ? LinkMentions(html, mentions) : html;
    }

    private static string LinkMentions(string html, IReadOnlyDictionary<string, string> mentions)
    {
        var document = new HtmlParser().ParseDocument("<!DOCTYPE html><html><body>" + html + "</body></html>");
        var body = document.Body!;
        var texts = body.Descendants<IText>().Where(t => t.ParentElement?.Closest("a, code, pre") is null && t.Data.Contains('@')).ToList();
        foreach (var text in texts)
        {
            var data = text.Data;
            var matches = Mention().Matches(data);
            var at = 0;
            var parent = text.Parent!;
            var any = false;
            foreach (Match match in matches)
            {
                var name = match.Groups["name"].Value;
                var linked = name;
                if (!TryOwnAddress(mentions, linked, out var href))
                {
                    linked = name.TrimEnd('.', '-', '_');
                    if (linked.Length < 3 || !TryOwnAddress(mentions, linked, out href)) continue;
                }
                any = true;
                parent.InsertBefore(document.CreateTextNode(data[at..match.Index]), text);
                var link = document.CreateElement("a");
                link.SetAttribute("href", href);
                link.TextContent = "@" + linked;
                parent.InsertBefore(link, text);
                at = match.Index + 1 + linked.Length;
            }
            if (!any) continue;
            parent.InsertBefore(document.CreateTextNode(data[at..]), text);
            text.RemoveFromParent();
        }
        return body.InnerHtml;
    }

    private static bool TryOwnAddress(IReadOnlyDictionary<string, string> mentions, string name, out string href)
    {
        href = mentions.TryGetValue(name.ToUpperInvariant(), out var value) ? value : "";
        return href.StartsWith('/') && !href.StartsWith("//", StringComparison.Ordinal) && !href.Contains('\\');
    }

    /// <summary>A mention: <c>@</c> and a username (letters, digits, dot, hyphen, underscore; 3–30) not preceded by a word character or <c>@</c>.</summary>
    [GeneratedRegex(@"(?<![\w@])@(?<name>[A-Za-z0-9._-]{3,30})(?![A-Za-z0-9._-])")]
    private static partial Regex Mention();

    private static HtmlSanitizer CreateSanitizer()
    {
        var sanitizer = new HtmlSanitizer(new HtmlSanitizerOptions
        {
            AllowedTags = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
            {
                "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "blockquote",
                "ul", "ol", "li", "pre", "code", "a", "img", "table", "thead", "tbody", "tr", "th", "td",
            },
            AllowedAttributes = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "href", "title", "src", "alt", "start" },
            AllowedSchemes = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "http", "https", "mailto" },
            UriAttributes = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "href", "src" },
            AllowedCssProperties = new HashSet<string>(),
            AllowedClasses = new HashSet<string>(),
            AllowedAtRules = new HashSet<AngleSharp.Css.Dom.CssRuleType>(),
        });
        sanitizer.KeepChildNodes = true;
        sanitizer.PostProcessDom += (_, e) =>
        {
            var body = e.Document.Body;
            if (body is null)
            {
                return;
            }
            foreach (var image in body.QuerySelectorAll("img").ToList())
            {
                if (!IsOwnImage(image.GetAttribute("src")))
                {
                    image.Remove();
                }
            }
            foreach (var link in body.QuerySelectorAll("a").ToList())
            {
                if (link.HasAttribute("href"))
                {
                    link.SetAttribute("rel", LinkRel);
                }
                else
                {
                    // Its address was refused: keep the words, drop the link.
                    while (link.FirstChild is { } child)
                    {
                        link.Parent!.InsertBefore(child, link);
                    }
                    link.Remove();
                }
            }
        };
        return sanitizer;
    }

    /// <summary>An address under the app's own image path: relative, no scheme, host, escape or climbing out.</summary>
    internal static bool IsOwnImage(string? src) =>
        src is not null
        && src.StartsWith(ImagePathPrefix, StringComparison.Ordinal)
        && src.Length > ImagePathPrefix.Length
        && !src.Contains("..", StringComparison.Ordinal)
        && src.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '-' or '_' or '.' or '~');
}
