using CommunityApp.Features.Communities;

namespace CommunityApp.Features.Trust;

/// <summary>
/// Decay weights (docs/SPEC.md §4.6): an award counts fully for <c>FullMonths</c> calendar months after it was
/// given or renewed, then linearly less, reaching 0 at <c>ExpireMonths</c>. With decay off every award weighs 1.
/// </summary>
public static class TrustDecay
{
    public static double Weight(DecaySettings decay, DateTime renewedAt, DateTime now)
    {
        if (!decay.Enabled) return 1;
        var start = DecayStarts(decay, renewedAt);
        var end = renewedAt.AddMonths(decay.ExpireMonths);
        if (now < start) return 1;
        if (now >= end) return 0;
        return (end - now).TotalSeconds / (end - start).TotalSeconds;
    }

    public static DateTime DecayStarts(DecaySettings decay, DateTime renewedAt) => renewedAt.AddMonths(decay.FullMonths);

    /// <summary>Score = admin grant + ⌊Σ weights⌋; a whole number.</summary>
    public static int Score(int adminGrant, IEnumerable<double> weights) => adminGrant + (int)Math.Floor(weights.Sum() + 1e-9);
}
