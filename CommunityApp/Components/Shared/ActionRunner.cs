using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;
using CommunityApp.Auth;
using CommunityApp.Data;
using CommunityApp.Resources;

namespace CommunityApp.Components.Shared;

/// <summary>A question asked before a destructive action runs (remove trust, withdraw a share …).</summary>
public sealed record Confirmation(string Title, string Body, string ConfirmText, string? CancelText = null);

/// <summary>
/// What a component shows about its actions: whether one is running (controls disable themselves) and the field
/// messages of the last refusal. One per component; the <see cref="ActionRunner"/> fills it.
/// </summary>
public sealed class ActionState
{
    private static readonly IReadOnlyDictionary<string, string> None = new Dictionary<string, string>();

    /// <summary>The key of the running action, or null.</summary>
    public string? Running { get; internal set; }

    public bool Busy => Running is not null;

    public bool IsRunning(string key) => Running == key;

    public IReadOnlyDictionary<string, string> FieldErrors { get; internal set; } = None;

    /// <summary>The message for one field (for <c>ErrorText</c>), or null.</summary>
    public string? Error(string field) => FieldErrors.GetValueOrDefault(field);

    public bool HasError(string field) => FieldErrors.ContainsKey(field);

    public void ClearErrors() => FieldErrors = None;

    private readonly Dictionary<object, (string Field, string Message)> unreadable = [];

    /// <summary>
    /// An input whose text is not a value of its type (a number field holding "1.5") reports itself here, with null once it
    /// reads again: an action over its field does not run (<see cref="NumberField{T}"/>).
    /// </summary>
    public void SetUnreadable(object input, string field, string? message)
    {
        if (message is null) unreadable.Remove(input);
        else unreadable[input] = (field, message);
    }

    /// <summary>The unreadable inputs among an action's <paramref name="fields"/> (an action without fields reads no input), one message per field.</summary>
    internal IReadOnlyDictionary<string, string> UnreadableAmong(IReadOnlyCollection<string>? fields) =>
        unreadable.Values.Where(u => fields is not null && fields.Contains(u.Field)).GroupBy(u => u.Field).ToDictionary(g => g.Key, g => g.First().Message);
}

/// <summary>
/// The one action path of the pages (docs/ARCHITECTURE.md, "Actions"): confirmation for destructive actions, busy state,
/// the service's refusal shown as field messages or a snackbar, the page refreshed, and a plain message when the
/// database is unavailable or something unexpected failed, so the circuit survives and the page stays usable.
/// </summary>
public sealed class ActionRunner(ISnackbar snackbar, IDialogService dialogs, ActionThrottle throttle, AuthenticationStateProvider authentication,
    ILogger<ActionRunner> logger)
{
    /// <summary>A visitor's actions count per circuit (this runner lives as long as the circuit).</summary>
    private readonly string visitor = "circuit:" + Guid.NewGuid().ToString("N");

    /// <summary>Runs <paramref name="action"/>; true when it succeeded.</summary>
    /// <param name="success">Shown as a snackbar after success (null: nothing).</param>
    /// <param name="confirm">Asked first; declining runs nothing.</param>
    /// <param name="fields">The fields the page shows messages beside; a refusal's other messages go to the snackbar.</param>
    /// <param name="then">Refreshes the page after success, and after a refusal (the refusal may mean the data moved on).</param>
    /// <param name="key">Names the action for <see cref="ActionState.IsRunning"/> (a spinner on its own button).</param>
    public async Task<bool> RunAsync(ActionState state, Func<Task> action, string? success = null, Confirmation? confirm = null,
        IReadOnlyCollection<string>? fields = null, Func<Task>? then = null, string key = "action")
    {
        if (state.Busy) return false;
        // What was typed is not what the page holds (a number field keeps its last number): say so and save nothing.
        if (state.UnreadableAmong(fields) is { Count: > 0 } unreadable)
        {
            ShowRefusal(state, unreadable, fields);
            logger.LogDebug("Action {Action} ended before it ran: {Fields} do not read as numbers", key, string.Join(", ", unreadable.Keys));
            return false;
        }
        if (confirm is not null
            && await dialogs.ShowMessageBoxAsync(confirm.Title, confirm.Body, yesText: confirm.ConfirmText, cancelText: confirm.CancelText ?? Text.Get("Common.Cancel")) != true)
            return false;

        state.Running = key;
        state.ClearErrors();
        try
        {
            // Every write of every page passes here, so here is where one user's flood of actions stops (RateLimits:ActionsPerMinute).
            var user = (await authentication.GetAuthenticationStateAsync()).User.GetUserId();
            if (!throttle.TryTake(user ?? visitor))
            {
                logger.LogWarning("Action {Action} refused: user {UserId} is over the actions-per-minute limit", key, user);
                snackbar.Add(Text.Get("Error.TooManyActions"), Severity.Warning);
                return false;
            }

            await action();
            if (success is not null) snackbar.Add(success, Severity.Success);
            if (then is not null) await then();
            return true;
        }
        catch (ValidationFailedException ex)
        {
            ShowRefusal(state, ex.Errors, fields);
        }
        catch (AppException ex)
        {
            snackbar.Add(ex.Message, Severity.Error);
            await RefreshAfterRefusalAsync(then);
        }
        catch (OperationCanceledException)
        {
            // The circuit is going away; nobody is left to tell.
        }
        catch (Exception ex) when (DatabaseFailures.IsUnavailable(ex))
        {
            logger.LogWarning(ex, "An action failed because the database is unavailable");
            snackbar.Add(Text.Get("Error.DatabaseUnavailable"), Severity.Error);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "An action failed unexpectedly");
            snackbar.Add(Text.Get("Error.Unexpected"), Severity.Error);
        }
        finally
        {
            state.Running = null;
            logger.LogDebug("Action {Action} ended", key);
        }
        return false;
    }

    /// <summary>Messages beside the page's fields; the rest in a snackbar.</summary>
    private void ShowRefusal(ActionState state, IReadOnlyDictionary<string, string> errors, IReadOnlyCollection<string>? fields)
    {
        state.FieldErrors = errors;
        var elsewhere = errors.Where(e => fields is null || !fields.Contains(e.Key)).Select(e => e.Value).ToList();
        if (elsewhere.Count > 0) snackbar.Add(string.Join(" ", elsewhere), Severity.Error);
    }

    private async Task RefreshAfterRefusalAsync(Func<Task>? then)
    {
        if (then is null) return;
        try
        {
            await then();
        }
        catch (Exception ex) when (ex is AppException || DatabaseFailures.IsUnavailable(ex))
        {
            logger.LogInformation(ex, "The page could not refresh after a refusal");
        }
    }
}
