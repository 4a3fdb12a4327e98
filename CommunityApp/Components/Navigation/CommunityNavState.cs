using CommunityApp.Features.Communities;

namespace CommunityApp.Components.Navigation;

/// <summary>
/// The community the current page shows, per circuit (scoped): the community page base sets it once it has loaded,
/// and the navigation in the layout draws that community's sections, so the membership is loaded once per page.
/// </summary>
public sealed class CommunityNavState
{
    public CommunityHome? Home { get; private set; }
    public string UserId { get; private set; } = "";

    public event Action? Changed;

    public void Show(CommunityHome? home, string userId)
    {
        if (Equals(home, Home) && userId == UserId) return;
        (Home, UserId) = (home, userId);
        Changed?.Invoke();
    }

    /// <summary>Asks the navigation to recount its badges (a request arrived …).</summary>
    public void Refresh() => Changed?.Invoke();
}
