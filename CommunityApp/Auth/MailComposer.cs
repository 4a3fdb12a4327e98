using System.Globalization;
using System.Net;
using System.Text;
using CommunityApp.Resources;

namespace CommunityApp.Auth;

/// <summary>
/// Builds a mail from interface text (Strings.resx, in the current UI culture): a greeting, paragraphs, an optional
/// link and the footer, as plain text and as the same content in simple HTML.
/// </summary>
public static class MailComposer
{
    /// <param name="items">A list of linked lines after the action link (the digest's notifications), each line's text linking to its address.</param>
    /// <param name="closing">Paragraphs after the list.</param>
    public static OutgoingMail Compose(string to, string? toName, string subject, IReadOnlyList<string> paragraphs, string? actionText = null, string? link = null,
        IReadOnlyList<(string Text, string Link)>? items = null, IReadOnlyList<string>? closing = null)
    {
        var greeting = string.IsNullOrWhiteSpace(toName) ? Text.Get("Mail.GreetingNoName") : Text.Get("Mail.Greeting", toName);
        var footer = Text.Get("Mail.Footer");

        var text = new StringBuilder().Append(greeting).Append("\n\n");
        foreach (var paragraph in paragraphs) text.Append(paragraph).Append("\n\n");
        if (link is not null) text.Append(link).Append("\n\n");
        foreach (var (line, href) in items ?? []) text.Append("- ").Append(line).Append('\n').Append("  ").Append(href).Append("\n\n");
        foreach (var paragraph in closing ?? []) text.Append(paragraph).Append("\n\n");
        text.Append("-- \n").Append(footer).Append('\n');

        var html = new StringBuilder()
            .Append("<!DOCTYPE html><html lang=\"").Append(CultureInfo.CurrentUICulture.TwoLetterISOLanguageName).Append("\"><head><meta charset=\"utf-8\"><title>")
            .Append(WebUtility.HtmlEncode(subject)).Append("</title></head><body style=\"font-family:sans-serif;line-height:1.5\">")
            .Append("<p>").Append(WebUtility.HtmlEncode(greeting)).Append("</p>");
        foreach (var paragraph in paragraphs) html.Append("<p>").Append(WebUtility.HtmlEncode(paragraph)).Append("</p>");
        if (link is not null) html.Append("<p><a href=\"").Append(WebUtility.HtmlEncode(link)).Append("\">").Append(WebUtility.HtmlEncode(actionText ?? link)).Append("</a></p>");
        if (items is { Count: > 0 })
        {
            html.Append("<ul>");
            foreach (var (line, href) in items) html.Append("<li><a href=\"").Append(WebUtility.HtmlEncode(href)).Append("\">").Append(WebUtility.HtmlEncode(line)).Append("</a></li>");
            html.Append("</ul>");
        }
        foreach (var paragraph in closing ?? []) html.Append("<p>").Append(WebUtility.HtmlEncode(paragraph)).Append("</p>");
        html.Append("<p style=\"color:#555;font-size:small\">").Append(WebUtility.HtmlEncode(footer)).Append("</p></body></html>");

        return new OutgoingMail(to, string.IsNullOrWhiteSpace(toName) ? null : toName, subject, text.ToString(), html.ToString());
    }
}
