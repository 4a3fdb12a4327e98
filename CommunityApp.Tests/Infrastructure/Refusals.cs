namespace CommunityApp.Tests.Infrastructure;

/// <summary>What a refused service call said: its message, or its field messages. Fails the test when nothing was refused.</summary>
public static class Refusals
{
    public static async Task<string> Refusal(Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (AppException ex)
        {
            return ex.Message;
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
