using System.Collections.Concurrent;
using CommunityApp.Auth;

namespace CommunityApp.Features.Communities;

/// <summary>
/// A community's settings and trust levels as every permission check needs them, parsed once per change instead of on
/// every check (<see cref="PermissionService.LoadStandingAsync"/>).
/// <para>
/// Each entry carries the stamp it was read with: the community's <c>updated_at</c> and its levels' count and latest
/// <c>updated_at</c>. The standing query reads the current stamp in the same round trip as the member's row, and an entry
/// whose stamp differs is read again, so a change made anywhere (another instance, a bulk update that stamps, a script
/// that sets <c>updated_at</c>) is seen on the next check. Saves through EF Core also call <see cref="Invalidate"/>
/// (from <see cref="Data.AuditInterceptor"/>), which drops the entry at once: the one place to hook a cross-instance
/// signal (LISTEN/NOTIFY) to, should the stamps ever be dropped.
/// </para>
/// </summary>
public static class CommunityCache
{
    /// <summary>Above this many communities the cache starts again empty (a bound on memory, not a policy).</summary>
    public const int MaxEntries = 10_000;

    /// <summary>What the entry was read with; equal stamps mean equal settings and levels.</summary>
    public sealed record Stamp(DateTime CommunityUpdatedAt, int LevelCount, DateTime? LevelsUpdatedAt);

    public sealed record Entry(Stamp Stamp, CommunitySettings Settings, IReadOnlyList<TrustLevelInfo> Levels);

    private static readonly ConcurrentDictionary<Guid, Entry> Entries = new();

    /// <summary>The cached settings and levels if they were read with <paramref name="stamp"/>.</summary>
    public static Entry? Get(Guid communityId, Stamp stamp) =>
        Entries.TryGetValue(communityId, out var entry) && entry.Stamp == stamp ? entry : null;

    public static void Set(Guid communityId, Entry entry)
    {
        if (Entries.Count >= MaxEntries) Entries.Clear();
        Entries[communityId] = entry;
    }

    /// <summary>Forgets the community's settings and levels: the next check reads them again. Called on every save that touches them.</summary>
    public static void Invalidate(Guid communityId) => Entries.TryRemove(communityId, out _);
}
