using System.Globalization;
using System.Text;

namespace CommunityApp.Tests.Components;

/// <summary>
/// The XSS corpus of <c>XssPayloads.txt</c> (issue #11), embedded in the test assembly: one payload a line, blank lines
/// and lines starting with ";; " skipped, escapes (\n, \r, \t, \\, \uXXXX) decoded by <see cref="Decode"/>.
/// </summary>
public static class XssCorpus
{
    public static IReadOnlyList<string> Lines { get; } = Load();

    private static List<string> Load()
    {
        using var stream = typeof(XssCorpus).Assembly.GetManifestResourceStream("CommunityApp.Tests.Components.XssPayloads.txt")
            ?? throw new InvalidOperationException("XssPayloads.txt is not embedded");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd().Split('\n')
            .Select(l => l.TrimEnd('\r'))
            .Where(l => l.Length > 0 && !l.StartsWith(";; ", StringComparison.Ordinal))
            .ToList();
    }

    /// <summary>The payload a corpus line stands for.</summary>
    public static string Decode(string line)
    {
        var text = new StringBuilder(line.Length);
        for (var i = 0; i < line.Length; i++)
        {
            if (line[i] != '\\' || i + 1 == line.Length)
            {
                text.Append(line[i]);
                continue;
            }
            switch (line[i + 1])
            {
                case 'n': text.Append('\n'); i++; break;
                case 'r': text.Append('\r'); i++; break;
                case 't': text.Append('\t'); i++; break;
                case '\\': text.Append('\\'); i++; break;
                case 'u' when i + 5 < line.Length && ushort.TryParse(line.AsSpan(i + 2, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var unit):
                    text.Append((char)unit);
                    i += 5;
                    break;
                default: text.Append('\\'); break;
            }
        }
        return text.ToString();
    }
}
