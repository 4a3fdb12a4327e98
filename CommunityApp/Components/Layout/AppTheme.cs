using MudBlazor;

namespace CommunityApp.Components.Layout;

/// <summary>One theme for every page, with colours that pass WCAG AAA contrast (7:1) on white and on the light greys of menus.</summary>
public static class AppTheme
{
    public static readonly MudTheme Theme = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#24493d",
            Secondary = "#6b3a06",
            AppbarBackground = "#24493d",
            TextSecondary = "#484848",
            // Darker than MudBlazor's defaults so text in these colours, and white text on them, passes 7:1.
            Success = "#14532c",
            Error = "#8c1d18",
            Info = "#084a80",
            Warning = "#6b4000",
        },
        Typography = new Typography
        {
            Default = new DefaultTypography { FontFamily = ["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"] },
        },
    };
}
