using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using CommunityApp.Components.Shared;

namespace CommunityApp.Tests.Components;

/// <summary>
/// The markdown renderer (docs/SPEC.md §10: no script ever runs from user content). Hostile input is rendered and the
/// output parsed as a browser would (AngleSharp); what remains must be plain, inert markup.
/// </summary>
public class MarkdownTests
{
    private static readonly HashSet<string> AllowedElements = new(StringComparer.OrdinalIgnoreCase)
    {
        "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "blockquote",
        "ul", "ol", "li", "pre", "code", "a", "img", "table", "thead", "tbody", "tr", "th", "td",
    };

    private static readonly HashSet<string> AllowedAttributes = new(StringComparer.OrdinalIgnoreCase) { "href", "title", "src", "alt", "start", "rel" };

    private static IElement Parse(string html)
    {
        var document = new HtmlParser().ParseDocument("<!DOCTYPE html><html><body><div id=\"root\">" + html + "</div></body></html>");
        return document.GetElementById("root")!;
    }

    /// <summary>The scheme a browser would see: entities decoded by the parser, whitespace and controls dropped, lower case.</summary>
    private static string? Scheme(string url)
    {
        var compact = new string(url.Where(c => !char.IsWhiteSpace(c) && !char.IsControl(c)).ToArray()).ToLowerInvariant();
        var colon = compact.IndexOf(':');
        var slash = compact.IndexOfAny(['/', '?', '#']);
        return colon > 0 && (slash < 0 || colon < slash) ? compact[..colon] : null;
    }

    /// <summary>Nothing in the output can run script, load from elsewhere or restyle the page.</summary>
    private static void ShouldBeInert(string html, string input)
    {
        var root = Parse(html);
        foreach (var element in root.QuerySelectorAll("*"))
        {
            AllowedElements.ShouldContain(element.LocalName, $"element <{element.LocalName}> from {input} → {html}");
            foreach (var attribute in element.Attributes)
            {
                AllowedAttributes.ShouldContain(attribute.Name, $"attribute {attribute.Name} on <{element.LocalName}> from {input} → {html}");
                attribute.Name.ShouldNotStartWith("on", Case.Insensitive);
            }
            if (element.GetAttribute("href") is { } href)
            {
                Scheme(href).ShouldBeOneOf([null, "http", "https", "mailto"], $"href {href} from {input} → {html}");
                element.LocalName.ShouldBe("a");
                element.GetAttribute("rel").ShouldBe("nofollow noopener ugc");
            }
            if (element.GetAttribute("src") is { } src)
            {
                element.LocalName.ShouldBe("img");
                src.ShouldStartWith("/images/", Case.Sensitive, $"image from {input} → {html}");
                Scheme(src).ShouldBeNull();
            }
        }
        var comments = root.Descendants().OfType<IComment>().ToList();
        comments.ShouldBeEmpty($"comments from {input} → {html}");
    }

    public static TheoryData<string> XssVectors =>
    [
        "<script>alert(1)</script>",
        "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
        "<scr<script>ipt>alert(1)</script>",
        "\\<script>alert(1)\\</script>",
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](&#106;avascript:alert(1))",
        "[click](&#x6A;avascript&#58;alert(1))",
        "[click](javascript&colon;alert(1))",
        "[click](<java script:alert(1)>)",
        "[click](<javascript\t:alert(1)>)",
        "[click](%20javascript:alert(1))",
        "[click](vbscript:msgbox(1))",
        "[click](https://ok.example/ \"title\" onclick=alert(1))",
        "<a href=\"javascript:alert(1)\">x</a>",
        "<a href=\"&#x6A;&#x61;vascript:alert(1)\">x</a>",
        "<a href=\"jav&#x09;ascript:alert(1)\">x</a>",
        "<img src=x onerror=alert(1)>",
        "<img src=x onerror=alert(1)",
        "<IMG SRC=\"jav\tascript:alert(1);\">",
        "![x](x\" onerror=\"alert(1))",
        "![x](javascript:alert(1))",
        "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "![pixel](https://evil.example/pixel.png)",
        "![up](/images/../account/logout)",
        "![up](//evil.example/images/x.png)",
        "<svg onload=alert(1)>",
        "<svg><script>alert(1)</script></svg>",
        "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
        "<iframe src=\"https://evil.example\"></iframe>",
        "<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>",
        "<object data=\"x.swf\"></object><embed src=\"x.swf\">",
        "<form action=\"https://evil.example\"><input name=x><button formaction=\"javascript:alert(1)\">go</button></form>",
        "<div style=\"background:url(javascript:alert(1))\">x</div>",
        "<p style=\"width: expression(alert(1))\" class=\"mud-overlay\" id=\"app\">x</p>",
        "<style>body{background:url(javascript:alert(1))}</style>",
        "<link rel=stylesheet href=\"https://evil.example/x.css\">",
        "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
        "<base href=\"javascript:/\">",
        "<!-- <script>alert(1)</script> -->",
        "<!--><img src=x onerror=alert(1)>-->",
        "<details open ontoggle=alert(1)>",
        "<textarea><script>alert(1)</script></textarea>",
        "[x][1]\n\n[1]: javascript:alert(1)",
        "[x][evil]\n\n[evil]: <javascript:alert(1)> \"title\"",
        "![x][img]\n\n[img]: javascript:alert(1)",
        "<javascript:alert(1)>",
        "www.example.org/\"onmouseover=\"alert(1)",
        "https://example.org/<script>alert(1)</script>",
        "| a |\n|---|\n| <script>alert(1)</script> |",
        "| a |\n|:--:|\n| [x](javascript:alert(1)) |",
        "> <img src=x onerror=alert(1)>\n> - [y](javascript:alert(1))",
        "**<img src=x onerror=alert(1)>**",
        "```\n</code></pre><script>alert(1)</script>\n```",
        "```\"><script>alert(1)</script>\ncode\n```",
    ];

    [Theory]
    [MemberData(nameof(XssVectors))]
    public void Hostile_markdown_renders_inert(string markdown)
    {
        var html = MarkdownRenderer.Render(markdown);

        ShouldBeInert(html, markdown);
        html.ShouldNotContain("<script", Case.Insensitive);
    }

    /// <summary>The corpus file's lines as written (escapes still in), so theory data stays printable.</summary>
    public static TheoryData<string> CorpusLines => [.. XssCorpus.Lines];

    /// <summary>Where a payload is put: on its own, in running text and in every markdown construct that holds text or an address.</summary>
    private static readonly (string Name, Func<string, string> Wrap)[] Contexts =
    [
        ("raw", p => p),
        ("paragraph", p => $"Before {p} after"),
        ("emphasis", p => $"**{p}** and _{p}_"),
        ("heading", p => $"# {p}"),
        ("list", p => $"- {p}\n- next\n  1. {p}"),
        ("quote", p => $"> {p}"),
        ("table", p => $"| head | other |\n|---|:-:|\n| {p} | x |"),
        ("link text", p => $"[{p}](https://example.org/)"),
        ("link address", p => $"[text]({p})"),
        ("bracketed link address", p => $"[text](<{p}>)"),
        ("link title", p => $"[text](https://example.org/ \"{p}\")"),
        ("image address", p => $"![alt]({p})"),
        ("image alt", p => $"![{p}](/images/x.png)"),
        ("reference", p => $"[text][r] and ![pic][r]\n\n[r]: {p}"),
        ("autolink", p => $"<{p}> and see {p} here"),
        ("inline code", p => $"`{p}`"),
        ("fenced code", p => $"```\n{p}\n```"),
    ];

    [Fact]
    public void The_corpus_holds_at_least_150_distinct_payloads()
    {
        var payloads = XssCorpus.Lines.Select(XssCorpus.Decode).ToList();

        payloads.Count.ShouldBeGreaterThanOrEqualTo(150);
        payloads.Distinct(StringComparer.Ordinal).Count().ShouldBe(payloads.Count, "every payload once");
        payloads.ShouldContain("<svg onload=alert(1)>");
        payloads.ShouldContain(p => p.Contains("<math", StringComparison.Ordinal));
        payloads.ShouldContain(p => p.StartsWith("[click](vbscript:", StringComparison.Ordinal));
        payloads.ShouldContain(p => p.StartsWith("[click](data:", StringComparison.Ordinal));
        payloads.ShouldContain(p => p.Contains("\u0001javascript:", StringComparison.Ordinal));
    }

    /// <summary>Issue #11: every payload of the corpus, in every context, renders to markup that cannot run script.</summary>
    [Theory]
    [MemberData(nameof(CorpusLines))]
    public void Corpus_payload_renders_inert_in_every_context(string line)
    {
        var payload = XssCorpus.Decode(line);
        foreach (var (name, wrap) in Contexts)
        {
            var markdown = wrap(payload);
            var html = MarkdownRenderer.Render(markdown);

            ShouldBeInert(html, $"{line} ({name})");
            html.ShouldNotContain("<script", Case.Insensitive, $"{line} ({name}) → {html}");
        }
    }

    /// <summary>
    /// The forum's entry point with mentions: the corpus beside a real mention stays inert, and the only link the renderer
    /// adds is the member's own address (relative, no rel needed).
    /// </summary>
    [Theory]
    [MemberData(nameof(CorpusLines))]
    public void Corpus_payload_with_mentions_renders_inert(string line)
    {
        const string mention = "<a href=\"/c/1/members/ana\">@ana</a>";
        var mentions = new Dictionary<string, string> { ["ANA"] = "/c/1/members/ana", ["EVE"] = "javascript:alert(1)" };
        var html = MarkdownRenderer.Render("@ana @eve " + XssCorpus.Decode(line), mentions);

        html.ShouldContain(mention, Case.Sensitive, $"{line} → {html}");
        ShouldBeInert(html.Replace(mention, "@ana", StringComparison.Ordinal), $"{line} (mentions)");
    }

    [Theory]
    [InlineData("[site](https://example.org/a)")]
    [InlineData("[site](HTTPS://EXAMPLE.ORG/)")]
    [InlineData("[site](http://example.org/)")]
    [InlineData("[site](//example.org/protocol-relative)")]
    [InlineData("[site][r]\n\n[r]: https://example.org/ref")]
    [InlineData("<https://example.org/auto>")]
    [InlineData("See https://example.org/bare and www.example.org")]
    [InlineData("<a href=\"https://example.org/\" rel=\"opener\" target=\"_blank\">raw</a> [md](https://example.org/md)")]
    public void Links_to_other_sites_get_rel_nofollow_ugc_noopener(string markdown)
    {
        var html = MarkdownRenderer.Render(markdown);
        var links = Parse(html).QuerySelectorAll("a").ToList();

        links.ShouldNotBeEmpty(html);
        foreach (var link in links)
        {
            var rel = (link.GetAttribute("rel") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
            rel.ShouldBe(["nofollow", "noopener", "ugc"], ignoreOrder: true, $"{link.OuterHtml} from {markdown}");
            link.HasAttribute("target").ShouldBeFalse();
        }
    }

    [Fact]
    public void Raw_html_is_shown_as_text_not_markup()
    {
        var root = Parse(MarkdownRenderer.Render("Hello <b>bold</b> <script>alert(1)</script>"));

        root.QuerySelector("b").ShouldBeNull();
        root.QuerySelector("script").ShouldBeNull();
        root.TextContent.ShouldContain("<b>bold</b>");
    }

    [Fact]
    public void Headings_lists_and_emphasis_render()
    {
        var root = Parse(MarkdownRenderer.Render("# Title\n\n## Part\n\n- one\n- two\n\n3. three\n4. four\n\n*soft* and **loud**\n\n> quoted"));

        root.QuerySelector("h1")!.TextContent.ShouldBe("Title");
        root.QuerySelector("h2")!.TextContent.ShouldBe("Part");
        root.QuerySelectorAll("ul > li").Select(li => li.TextContent).ShouldBe(["one", "two"]);
        root.QuerySelectorAll("ol > li").Select(li => li.TextContent).ShouldBe(["three", "four"]);
        root.QuerySelector("ol")!.GetAttribute("start").ShouldBe("3");
        root.QuerySelector("em")!.TextContent.ShouldBe("soft");
        root.QuerySelector("strong")!.TextContent.ShouldBe("loud");
        root.QuerySelector("blockquote")!.TextContent.Trim().ShouldBe("quoted");
        root.QuerySelectorAll("[id]").ShouldBeEmpty();
    }

    [Fact]
    public void Code_blocks_escape_html_and_carry_no_class()
    {
        var root = Parse(MarkdownRenderer.Render("```html\n<b onclick=\"x()\">bold</b>\n```\n\nInline `<i>it</i>` too."));

        root.QuerySelector("pre > code")!.TextContent.ShouldBe("<b onclick=\"x()\">bold</b>\n");
        root.QuerySelectorAll("p > code").Single().TextContent.ShouldBe("<i>it</i>");
        root.QuerySelector("b").ShouldBeNull();
        root.QuerySelector("i").ShouldBeNull();
        root.QuerySelectorAll("[class]").ShouldBeEmpty();
    }

    [Fact]
    public void Pipe_tables_render_without_style()
    {
        var root = Parse(MarkdownRenderer.Render("| Item | Units |\n|------|------:|\n| Carrots | 13 |\n| Eggs | 6 |"));

        root.QuerySelectorAll("table thead th").Select(th => th.TextContent).ShouldBe(["Item", "Units"]);
        root.QuerySelectorAll("table tbody tr").Select(tr => string.Join("|", tr.Children.Select(td => td.TextContent))).ShouldBe(["Carrots|13", "Eggs|6"]);
        root.QuerySelectorAll("[style]").ShouldBeEmpty();
    }

    [Theory]
    [InlineData("[the site](https://example.org/a?b=1)", "https://example.org/a?b=1", "the site")]
    [InlineData("[plain](http://example.org/)", "http://example.org/", "plain")]
    [InlineData("<https://example.org/x>", "https://example.org/x", "https://example.org/x")]
    [InlineData("See https://example.org/y now", "https://example.org/y", "https://example.org/y")]
    [InlineData("See www.example.org now", "http://www.example.org", "www.example.org")]
    [InlineData("<ana@example.org>", "mailto:ana@example.org", "ana@example.org")]
    [InlineData("[write](mailto:ana@example.org)", "mailto:ana@example.org", "write")]
    [InlineData("[rules](/c/garden/rules)", "/c/garden/rules", "rules")]
    [InlineData("[ref][r]\n\n[r]: https://example.org/ref \"Ref\"", "https://example.org/ref", "ref")]
    public void Safe_links_keep_their_address_and_get_rel(string markdown, string href, string text)
    {
        var html = MarkdownRenderer.Render(markdown);
        var link = Parse(html).QuerySelectorAll("a").ShouldHaveSingleItem();

        link.GetAttribute("href").ShouldBe(href);
        link.TextContent.ShouldBe(text);
        link.GetAttribute("rel").ShouldBe("nofollow noopener ugc");
        link.HasAttribute("target").ShouldBeFalse();
        ShouldBeInert(html, markdown);
    }

    [Fact]
    public void Links_drop_unsafe_addresses_but_keep_their_text()
    {
        var root = Parse(MarkdownRenderer.Render("[click me](javascript:alert(1))"));

        root.TextContent.Trim().ShouldBe("click me");
        root.QuerySelectorAll("a").ShouldBeEmpty();
    }

    [Fact]
    public void Images_from_the_apps_own_path_stay_others_go()
    {
        var root = Parse(MarkdownRenderer.Render("![Logo](/images/logo.png \"The logo\") ![Pixel](https://evil.example/p.png) ![Up](/images/../x.png)"));

        var image = root.QuerySelectorAll("img").ShouldHaveSingleItem();
        image.GetAttribute("src").ShouldBe("/images/logo.png");
        image.GetAttribute("alt").ShouldBe("Logo");
        image.GetAttribute("title").ShouldBe("The logo");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   \n\t")]
    public void Nothing_renders_nothing(string? markdown) => MarkdownRenderer.Render(markdown).ShouldBe("");

    [Theory]
    [InlineData("> ")]
    [InlineData("[")]
    [InlineData("*")]
    [InlineData("- ")]
    [InlineData("<div>")]
    public void Deep_nesting_renders_without_failing(string unit)
    {
        var markdown = string.Concat(Enumerable.Repeat(unit, 5_000)) + "x";

        var html = MarkdownRenderer.Render(markdown);

        ShouldBeInert(html, unit + "×5000");
        Parse(html).TextContent.Trim().ShouldEndWith("x");
    }

    [Fact]
    public void MarkdownView_renders_sanitized_html_in_its_block()
    {
        using var context = new BunitContext();
        context.Services.AddLocalization();

        var view = context.Render<MarkdownView>(p => p.Add(v => v.Text, "**Hi** <script>alert(1)</script> [x](javascript:alert(1)) [ok](https://example.org)"));

        var block = view.Find("div.markdown-body");
        block.QuerySelector("strong")!.TextContent.ShouldBe("Hi");
        block.QuerySelector("script").ShouldBeNull();
        block.TextContent.ShouldContain("<script>alert(1)</script>");
        block.QuerySelectorAll("a").ShouldHaveSingleItem().GetAttribute("href").ShouldBe("https://example.org");

        view.Render(p => p.Add(v => v.CssClass, "report-body").Add(v => v.Text, (string?)null));
        view.Find("div.report-body").InnerHtml.ShouldBeEmpty();
    }
}
