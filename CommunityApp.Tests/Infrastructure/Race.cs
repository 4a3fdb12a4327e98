namespace CommunityApp.Tests.Infrastructure;

public static class Race
{
    /// <summary>Runs one contender of a race: true if it won, false if the service refused it with a user-facing message.</summary>
    public static async Task<bool> Attempt(Func<Task> action)
    {
        try
        {
            await action();
            return true;
        }
        catch (AppException)
        {
            return false;
        }
    }
}
