using Microsoft.EntityFrameworkCore;
using CommunityApp.Data;
using CommunityApp.Features.Communities;
using CommunityApp.Features.Invites;
using CommunityApp.Features.Members;
using CommunityApp.Features.Notifications;
using CommunityApp.Features.Settings;
using CommunityApp.Features.Trust;
using CommunityApp.Features.Wealth;

namespace CommunityApp.Features.Demo;

/// <summary>
/// What the steps share: the app's services (running on the seed's clock), the community, and the cast's user ids.
/// <c>story.At(12, 9).Shares.AcceptAsync(story["ben"], request)</c> reads "twelve days ago at nine, Ben accepts".
/// </summary>
internal sealed class DemoStory(IServiceProvider services, DemoClock clock)
{
    private readonly Dictionary<string, string> userIds = [];

    public DemoClock Clock => clock;

    /// <summary>Set by the people step; null until then, or when the community cannot be seeded.</summary>
    public Guid? CommunityIdOrNull { get; set; }

    public Guid CommunityId => CommunityIdOrNull ?? throw new InvalidOperationException("The people step sets the community first.");

    /// <summary>Set when the rest of the seed must not run (the demo community was deleted on purpose).</summary>
    public bool Stopped { get; set; }

    /// <summary>A cast member's user id by username.</summary>
    public string this[string userName] => userIds[userName];

    public void Remember(string userName, string userId) => userIds[userName] = userId;

    public IReadOnlyCollection<string> UserIds => userIds.Values;

    /// <summary>Moves the clock to <paramref name="daysAgo"/> days before now at the given time (UTC).</summary>
    public DemoStory At(int daysAgo, int hour = 12, int minute = 0)
    {
        clock.Set(clock.Day(daysAgo, hour, minute));
        return this;
    }

    /// <summary>A moment of the story without moving the clock (expiry dates; negative days are ahead).</summary>
    public DateTime Day(int daysAgo, int hour = 12, int minute = 0) => clock.Day(daysAgo, hour, minute);

    public T Get<T>() where T : notnull => services.GetRequiredService<T>();

    public CommunityService Communities => Get<CommunityService>();
    public InviteService Invites => Get<InviteService>();
    public MemberService Members => Get<MemberService>();
    public SettingsService Settings => Get<SettingsService>();
    public TrustService Trust => Get<TrustService>();
    public CatalogService Catalog => Get<CatalogService>();
    public ShareService Shares => Get<ShareService>();
    public Councils.CouncilService Councils => Get<Councils.CouncilService>();
    public NotificationService Notifications => Get<NotificationService>();

    public Task<AppDbContext> DbAsync(CancellationToken ct) => Get<IDbContextFactory<AppDbContext>>().CreateDbContextAsync(ct);

    /// <summary>
    /// The community's items by English name, ignoring case as the catalogue does: the starter items the community was
    /// created with (docs/SPEC.md §5.1) and those the seed added. Steps look items up here rather than add one a second time.
    /// </summary>
    public async Task<Dictionary<string, Guid>> ItemsAsync(CancellationToken ct)
    {
        await using var db = await DbAsync(ct);
        var community = CommunityId;
        return (await db.Items.Where(i => i.CommunityId == community).Select(i => new { i.Name, i.Id }).ToListAsync(ct))
            .ToDictionary(i => i.Name, i => i.Id, StringComparer.OrdinalIgnoreCase);
    }
}
