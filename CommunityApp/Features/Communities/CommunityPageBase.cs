using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using CommunityApp.Components.Shared;

namespace CommunityApp.Features.Communities;

/// <summary>
/// A page inside one community: loads the signed-in user's view of it, or the refusal that
/// <see cref="CommunityPageFrame"/> shows instead (not a member, not found).
/// </summary>
public abstract class CommunityPageBase : ComponentBase
{
    [Parameter] public Guid CommunityId { get; set; }

    [CascadingParameter] protected Task<AuthenticationState> AuthState { get; set; } = default!;

    [Inject] protected CommunityService Communities { get; set; } = default!;

    protected CommunityHome? Home { get; private set; }
    protected AppException? Refusal { get; private set; }
    protected string UserId { get; private set; } = "";

    protected override async Task OnParametersSetAsync()
    {
        (Home, Refusal) = (null, null);
        UserId = await AuthState.GetUserIdAsync();
        try
        {
            Home = await Communities.GetHomeAsync(UserId, CommunityId);
            await OnCommunityLoadedAsync(Home);
        }
        catch (AppException ex) when (ex is ForbiddenException or NotFoundException)
        {
            Refusal = ex;
        }
    }

    /// <summary>Loads the page's own data once the user is known to be a member.</summary>
    protected virtual Task OnCommunityLoadedAsync(CommunityHome home) => Task.CompletedTask;
}
