namespace CommunityApp.Resources;

/// <summary>Marker for the interface text in Strings.resx (English) and Strings.es.resx (Spanish).</summary>
public sealed class Strings;
