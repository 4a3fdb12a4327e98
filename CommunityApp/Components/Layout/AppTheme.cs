using MudBlazor;

namespace CommunityApp.Components.Layout;

/// <summary>One theme for every page, with colours that pass WCAG AA contrast on white.</summary>
public static class AppTheme
{
    public static readonly MudTheme Theme = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#2e5e4e",
            Secondary = "#8a4b08",
            AppbarBackground = "#2e5e4e",
            TextSecondary = "#545454",
            // Darker than MudBlazor's defaults so white text on alerts and snackbars passes 4.5:1.
            Success = "#1b6e3a",
            Error = "#b3261e",
            Info = "#0b5fa5",
            Warning = "#8a5300",
        },
        Typography = new Typography
        {
            Default = new DefaultTypography { FontFamily = ["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"] },
        },
    };
}
