using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text;
using CommunityApp.Resources;

namespace CommunityApp.Data;

/// <summary>
/// Names people read (display names, community names): stored trimmed and NFC-normalised, so "José" typed two ways is
/// one name, and refused when they hold control or format characters (Unicode Cc and Cf: line breaks, tabs, right-to-left
/// overrides, zero-width spaces), which could make two names look alike or turn the text around them.
/// </summary>
public static class Names
{
    /// <summary>The name as it is stored: trimmed and composed (NFC).</summary>
    /// <remarks>Text that cannot be composed (a lone surrogate, U+FFFE) stays as typed, and <see cref="HasHiddenCharacters"/> refuses it.</remarks>
    public static string Normalize(string? value)
    {
        Texts.TryCompose((value ?? "").Trim(), out var composed);
        return composed;
    }

    /// <summary>Control or format characters (NUL included), or text that cannot be composed (a lone surrogate, a noncharacter).</summary>
    public static bool HasHiddenCharacters(string value) =>
        !Texts.TryCompose(value, out _) || value.EnumerateRunes().Any(r => Rune.GetUnicodeCategory(r) is UnicodeCategory.Control or UnicodeCategory.Format);

    /// <summary>The escape character of <see cref="LikeContains"/> patterns.</summary>
    public const string LikeEscape = "\\";

    /// <summary>A LIKE pattern matching <paramref name="text"/> anywhere, its own <c>%</c>, <c>_</c> and <c>\</c> taken literally.</summary>
    public static string LikeContains(string text) =>
        "%" + text.Replace(LikeEscape, LikeEscape + LikeEscape).Replace("%", LikeEscape + "%").Replace("_", LikeEscape + "_") + "%";

    /// <summary>The field message for a name with hidden characters.</summary>
    public static string HiddenCharactersMessage => Text.Get("Error.HiddenCharacters");
}

/// <summary>Form validation for <see cref="Names"/>: refuses control and format characters with the same message as the services.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class PlainNameAttribute : ValidationAttribute
{
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext) =>
        value is string text && Names.HasHiddenCharacters(text)
            ? new ValidationResult(Names.HiddenCharactersMessage, validationContext.MemberName is { } member ? [member] : null)
            : ValidationResult.Success;
}
