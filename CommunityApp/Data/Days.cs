namespace CommunityApp.Data;

/// <summary>Dates from a number of days that a person typed.</summary>
public static class Days
{
    /// <summary>A century: further than any limit of the app, near enough that no date arithmetic overflows.</summary>
    private const int Horizon = 36_500;

    /// <summary>
    /// <paramref name="now"/> plus <paramref name="days"/>. Beyond a century either way the date stops at a century, which
    /// every rule then refuses with its own message ("within 365 days"), so a typed 2147483647 is explained, never an overflow.
    /// </summary>
    public static DateTime FromNow(DateTime now, int days) => now.AddDays(Math.Clamp(days, -Horizon, Horizon));
}
