using System.Globalization;

namespace CommunityApp.Features.Wealth;

/// <summary>
/// Which name of an item or category a viewer reads (docs/SPEC.md §5.1): under a Spanish UI culture the Spanish name when
/// it is set, otherwise the English one. Queries project it in the database: they read <see cref="Spanish"/> once into a
/// local <c>es</c> and select <c>es &amp;&amp; i.NameEs != null ? i.NameEs : i.Name</c> (EF cannot translate a call to
/// <see cref="Shown"/>); code holding a loaded entity calls <see cref="Shown"/>. Records of what happened (audit details)
/// keep the English name.
/// </summary>
public static class CatalogNames
{
    /// <summary>Whether the current UI culture (in Blazor Server, the user's circuit) reads Spanish.</summary>
    public static bool Spanish => CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "es";

    public static string Shown(string name, string? nameEs) => Spanish && nameEs is not null ? nameEs : name;
}
