using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using CommunityApp.Auth;
using CommunityApp.Components;
using CommunityApp.Components.Navigation;
using CommunityApp.Components.Shared;
using CommunityApp.Events;

namespace CommunityApp.Features.Communities;

/// <summary>
/// A page inside one community: loads the signed-in user's view of it, or the refusal that
/// <see cref="CommunityPageFrame"/> shows instead (not a member, not found, answered 403/404 on the first request).
/// Mutations go through <see cref="ActionComponentBase.RunAsync"/>, which reloads the page's data afterwards.
/// </summary>
public abstract class CommunityPageBase : ActionComponentBase, IDisposable
{
    private readonly List<IDisposable> subscriptions = [];

    [Parameter] public Guid CommunityId { get; set; }

    [CascadingParameter] protected Task<AuthenticationState> AuthState { get; set; } = default!;

    [Inject] protected CommunityService Communities { get; set; } = default!;

    [Inject] protected IEventHub Events { get; set; } = default!;

    [Inject] private CommunityNavState NavState { get; set; } = default!;

    [Inject] private IHttpContextAccessor HttpContextAccessor { get; set; } = default!;

    protected CommunityHome? Home { get; private set; }
    protected AppException? Refusal { get; private set; }
    protected string UserId { get; private set; } = "";

    /// <summary>This community's URLs.</summary>
    protected CommunityUrls Urls => CommunityUrls.For(CommunityId);

    /// <summary>The community scope, for permission checks.</summary>
    protected PermissionScope Scope => PermissionScope.Community(CommunityId);

    /// <summary>
    /// The community as the prerendered page showed it, carried to the circuit in the page (protected by the data-protection
    /// keys), so the circuit's first render does not ask the database for it again. Only from the prerender
    /// (<see cref="RestoreBehavior.SkipLastSnapshot"/>): a tab resumed later loads afresh. Not for pages to use.
    /// </summary>
    [PersistentState(RestoreBehavior = RestoreBehavior.SkipLastSnapshot)]
    public CommunityHome? PrerenderedHome { get; set; }

    protected override async Task OnParametersSetAsync()
    {
        UserId = await AuthState.GetUserIdAsync();
        if (PrerenderedHome is { } carried && RendererInfo.IsInteractive)
        {
            PrerenderedHome = null;
            if (carried.Id == CommunityId)
            {
                if (!RestorePrerenderedState()) await OnCommunityLoadedAsync(carried);
                (Home, Refusal) = (carried, null);
                NavState.Show(Home, UserId);
                return;
            }
        }
        try
        {
            var home = await Communities.GetHomeAsync(UserId, CommunityId);
            await OnCommunityLoadedAsync(home);
            (Home, Refusal) = (home, null);
            if (!RendererInfo.IsInteractive) PrerenderedHome = home;
        }
        catch (AppException ex) when (ex is ForbiddenException or NotFoundException)
        {
            (Home, Refusal) = (null, ex);
            AnswerStatus(ex is NotFoundException ? StatusCodes.Status404NotFound : StatusCodes.Status403Forbidden);
        }
        NavState.Show(Home, UserId);
    }

    /// <summary>
    /// On the circuit's first render after a prerender: takes the page's own data from what the prerender carried (its own
    /// <c>[PersistentState]</c> properties) and returns true, or returns false to have <see cref="OnCommunityLoadedAsync"/> load it.
    /// </summary>
    protected virtual bool RestorePrerenderedState() => false;

    /// <summary>Loads the page's own data once the user is known to be a member.</summary>
    protected virtual Task OnCommunityLoadedAsync(CommunityHome home) => Task.CompletedTask;

    /// <summary>After an action: the page's own data again (and the navigation's badges).</summary>
    protected override async Task RefreshAsync()
    {
        if (Home is not null) await OnCommunityLoadedAsync(Home);
        NavState.Refresh();
    }

    /// <summary>On the first, prerendered request, a refusal is also the HTTP status; once interactive there is no response to set.</summary>
    protected void AnswerStatus(int statusCode)
    {
        if (!RendererInfo.IsInteractive && HttpContextAccessor.HttpContext is { Response.HasStarted: false } http)
            http.Response.StatusCode = statusCode;
    }

    /// <summary>Reloads the page, without a browser reload, whenever the trust of one of <paramref name="users"/> in this community changes.</summary>
    protected void ReloadOnTrustChange(Func<IEnumerable<string>> users) =>
        subscriptions.Add(Events.Subscribe<TrustChanged>(change =>
            change.CommunityId == CommunityId && users().Contains(change.UserId)
                ? InvokeAsync(async () =>
                {
                    await OnParametersSetAsync();
                    StateHasChanged();
                })
                : Task.CompletedTask));

    /// <summary>Runs <paramref name="reload"/> and re-renders, without a browser reload, for each matching event.</summary>
    protected void ReloadOn<T>(Func<T, bool> matches, Func<Task> reload) where T : AppEvent =>
        subscriptions.Add(Events.Subscribe<T>(e => matches(e)
            ? InvokeAsync(async () =>
            {
                await reload();
                StateHasChanged();
            })
            : Task.CompletedTask));

    public void Dispose()
    {
        foreach (var subscription in subscriptions) subscription.Dispose();
        GC.SuppressFinalize(this);
    }
}
