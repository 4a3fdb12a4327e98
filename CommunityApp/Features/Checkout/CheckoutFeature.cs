namespace CommunityApp.Features.Checkout;

/// <summary>Checkout links for shares (docs/SPEC.md §19). No section of its own: the owner's links live on the share page.</summary>
public static class CheckoutFeature
{
    public static IServiceCollection AddCheckout(this IServiceCollection services) => services
        .AddScoped<CheckoutService>();
}
