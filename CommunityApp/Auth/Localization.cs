namespace CommunityApp.Auth;

/// <summary>Interface cultures: English first, Spanish second. The choice is kept in the culture cookie.</summary>
public static class Localization
{
    public static readonly string[] SupportedCultures = ["en", "es"];

    public static void AddAppLocalization(this WebApplicationBuilder builder)
    {
        builder.Services.AddLocalization();
        builder.Services.Configure<RequestLocalizationOptions>(options =>
        {
            options.SetDefaultCulture(SupportedCultures[0]).AddSupportedCultures(SupportedCultures).AddSupportedUICultures(SupportedCultures);
        });
    }
}
