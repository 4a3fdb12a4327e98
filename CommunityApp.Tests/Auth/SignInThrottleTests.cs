using Microsoft.Extensions.Time.Testing;
using CommunityApp.Auth;

namespace CommunityApp.Tests.Auth;

/// <summary>The lockout after wrong passwords: per account and address, progressive, forgiven by a password reset.</summary>
public sealed class SignInThrottleTests : IDisposable
{
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 12, 3, 9, 0, 0, TimeSpan.Zero));
    private readonly SignInThrottle throttle;

    public SignInThrottleTests() => throttle = new SignInThrottle(new ThrottleOptions(), clock);

    public void Dispose() => throttle.Dispose();

    private DateTimeOffset? FailTimes(int times, string user = "u1", string client = "10.0.0.1")
    {
        DateTimeOffset? last = null;
        for (var i = 0; i < times; i++) last = throttle.Failed(user, client);
        return last;
    }

    [Fact]
    public void The_fifth_wrong_password_locks_the_pair_for_a_minute_and_each_later_one_doubles_the_wait_up_to_an_hour()
    {
        FailTimes(4).ShouldBeNull();
        throttle.LockedUntil("u1", "10.0.0.1").ShouldBeNull();

        FailTimes(1).ShouldBe(clock.GetUtcNow().AddMinutes(1));
        throttle.LockedUntil("u1", "10.0.0.1").ShouldBe(clock.GetUtcNow().AddMinutes(1));

        var waits = new List<double>();
        for (var i = 0; i < 8; i++)
        {
            clock.Advance(TimeSpan.FromHours(1));
            throttle.LockedUntil("u1", "10.0.0.1").ShouldBeNull("the wait is over");
            waits.Add((FailTimes(1)!.Value - clock.GetUtcNow()).TotalMinutes);
        }
        waits.ShouldBe([2, 4, 8, 16, 32, 60, 60, 60]);
    }

    [Fact]
    public void Another_address_and_another_account_are_not_locked()
    {
        FailTimes(5);

        throttle.LockedUntil("u1", "10.0.0.2").ShouldBeNull();
        throttle.LockedUntil("u2", "10.0.0.1").ShouldBeNull();
    }

    [Fact]
    public void A_right_password_clears_the_pair_and_a_reset_forgives_every_address()
    {
        FailTimes(4);
        throttle.Succeeded("u1", "10.0.0.1");
        FailTimes(4).ShouldBeNull("counting starts again");

        FailTimes(1, client: "10.0.0.1").ShouldNotBeNull();
        FailTimes(5, client: "10.0.0.9").ShouldNotBeNull();
        throttle.Forgive("u1");

        throttle.LockedUntil("u1", "10.0.0.1").ShouldBeNull();
        throttle.LockedUntil("u1", "10.0.0.9").ShouldBeNull();
        FailTimes(4, client: "10.0.0.9").ShouldBeNull("after forgiveness the pair gets five tries again");
        FailTimes(1, client: "10.0.0.9").ShouldNotBeNull();
    }
}
