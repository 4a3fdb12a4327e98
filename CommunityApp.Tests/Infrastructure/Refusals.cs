namespace CommunityApp.Tests.Infrastructure;

/// <summary>What a refused service call said: its message, or its field messages. Fails the test when nothing was refused.</summary>
public static class Refusals
{
    public static async Task<string> Refusal(Func<Task> action) => (await Refused(action)).Message;

    /// <summary>The refusal itself, for a test that compares its type too.</summary>
    public static async Task<AppException> Refused(Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (AppException ex)
        {
            return ex;
        }
        throw new ShouldAssertException("The action was not refused.");
    }

    public static async Task<IReadOnlyDictionary<string, string>> FieldErrors(Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (ValidationFailedException ex)
        {
            return ex.Errors;
        }
        throw new ShouldAssertException("The action got no field messages.");
    }
}
