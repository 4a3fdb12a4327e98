using MudBlazor;
using CommunityApp.Components.Navigation;

namespace CommunityApp.Features.Recognition;

public static class RecognitionFeature
{
    public static IServiceCollection AddRecognition(this IServiceCollection services) => services
        .AddScoped<RecognitionService>()
        .AddCommunitySection(new("Community.Recognition", SectionGroup.Sharing, Icons.Material.Filled.EmojiEvents, u => u.Recognition, Order: 50));
}
