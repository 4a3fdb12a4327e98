namespace CommunityApp.Tests.Infrastructure;

/// <summary>The app's clock in service tests: real time until a test sets or moves it, then frozen there.</summary>
public sealed class TestClock : TimeProvider
{
    private DateTimeOffset? frozen;

    public override DateTimeOffset GetUtcNow() => frozen ?? base.GetUtcNow();

    /// <summary>Stops the clock at <paramref name="instant"/>.</summary>
    public void Set(DateTimeOffset instant) => frozen = instant;

    /// <summary>Moves the clock on by <paramref name="delta"/> and stops it there.</summary>
    public void Advance(TimeSpan delta) => frozen = GetUtcNow() + delta;

    /// <summary>Lets the clock run with real time again.</summary>
    public void Reset() => frozen = null;
}
