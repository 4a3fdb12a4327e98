using CommunityApp.Resources;

namespace CommunityApp.Data;

/// <summary>
/// Free text people type (descriptions, bios, titles, messages, comments, searches): PostgreSQL text cannot hold a NUL
/// character, and a lone UTF-16 surrogate (half of a character) has no UTF-8 form, so neither can be saved or even
/// sent as a query parameter. Services refuse such text with a field message instead of failing in the database.
/// </summary>
public static class Texts
{
    /// <summary>Whether the text can be stored and searched for: no NUL, no lone surrogate.</summary>
    public static bool IsStorable(string? value) => value is null || (!value.Contains('\0') && IsWellFormed(value));

    /// <summary>Whether every surrogate is half of a pair (so the text can be normalised and encoded).</summary>
    public static bool IsWellFormed(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if (!char.IsSurrogate(value[i])) continue;
            if (char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1])) i++;
            else return false;
        }
        return true;
    }

    /// <summary>
    /// The text composed (NFC), or false when it cannot be: a lone surrogate or a noncharacter such as U+FFFE makes
    /// <see cref="string.Normalize(System.Text.NormalizationForm)"/> throw.
    /// </summary>
    public static bool TryCompose(string value, out string composed)
    {
        try
        {
            composed = value.Normalize(System.Text.NormalizationForm.FormC);
            return true;
        }
        catch (ArgumentException)
        {
            composed = value;
            return false;
        }
    }

    /// <summary>The field message for text that <see cref="IsStorable"/> refuses.</summary>
    public static string UnstorableMessage => Text.Get("Error.UnstorableText");
}
