using Microsoft.AspNetCore.Components;

namespace CommunityApp.Components.Shared;

/// <summary>
/// A component that runs user actions through the one action path: <see cref="RunAsync"/> with its own
/// <see cref="Action"/> state, which the markup reads for busy controls and field messages.
/// </summary>
public abstract class ActionComponentBase : ComponentBase
{
    [Inject] protected ActionRunner Actions { get; set; } = default!;

    /// <summary>This component's running action and field messages.</summary>
    protected ActionState Action { get; } = new();

    /// <summary>Runs a mutation: confirmation, busy state, refusals as messages, then <see cref="RefreshAsync"/>.</summary>
    protected Task<bool> RunAsync(Func<Task> action, string? success = null, Confirmation? confirm = null,
        IReadOnlyCollection<string>? fields = null, string key = "action") =>
        Actions.RunAsync(Action, action, success, confirm, fields, RefreshAsync, key);

    /// <summary>What runs after an action: reloads the component's data. Nothing by default.</summary>
    protected virtual Task RefreshAsync() => Task.CompletedTask;
}
