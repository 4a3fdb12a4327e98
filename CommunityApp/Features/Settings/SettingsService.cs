using CommunityApp.Resources;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using CommunityApp.Auth;
using CommunityApp.Data;
using CommunityApp.Features.Audit;
using CommunityApp.Features.Communities;

namespace CommunityApp.Features.Settings;

/// <summary>A threshold as the admin edits it: a whole number ("15") or a trust level's name ("Trusted").</summary>
public sealed record ThresholdView(Permission Permission, string SettingName, string Text, int? ResolvedScore);

public sealed record UserRef(string UserId, string DisplayName, string UserName);

public sealed record SettingsView(
    IReadOnlyList<ThresholdView> Thresholds, IReadOnlyList<TrustLevelInfo> Levels, DecaySettings Decay, AnalyticsSettings Analytics,
    IReadOnlyList<UserRef> PollCreatorUsers, IReadOnlyList<Guid> DisputeHandlingCouncils, int RequestConfirmDays = 14)
{
    /// <summary>Peer recognition units per giver per calendar month (docs/SPEC.md §18).</summary>
    public int RecognitionMonthlyBudget { get; init; }
}

/// <summary>
/// A change to some of the settings (docs/SPEC.md §3.3, §4.6, §13). Each section of the settings page sends only its own
/// fields and leaves the others null; the service applies them to the settings as they are stored at that moment, so a
/// save never resets a field it did not name. Thresholds: only the named ones change ("15" or a level's name).
/// </summary>
public sealed record SettingsPatch
{
    public IReadOnlyDictionary<string, string>? Thresholds { get; init; }
    public bool? DecayEnabled { get; init; }
    public int? DecayFullMonths { get; init; }
    public int? DecayExpireMonths { get; init; }
    public int? NonContributionThresholdDays { get; init; }
    public int? DashboardRefreshInterval { get; init; }
    public bool? ShowActiveMembers { get; init; }
    public bool? ShowWealthGeneration { get; init; }
    public bool? ShowTrustNetwork { get; init; }
    public bool? ShowCouncilActivity { get; init; }
    public bool? ShowNeedsFulfillment { get; init; }
    public bool? ShowDisputeRate { get; init; }
    /// <summary>Days after an accept before both parties are asked to confirm (docs/SPEC.md §12).</summary>
    public int? RequestConfirmDays { get; init; }

    /// <summary>The whole list (user ids) when it changes.</summary>
    public IReadOnlyList<string>? PollCreatorUsers { get; init; }

    /// <summary>The whole list (council ids) when it changes.</summary>
    public IReadOnlyList<Guid>? DisputeHandlingCouncils { get; init; }

    public int? RecognitionMonthlyBudget { get; init; }
}

/// <summary>An admin's community settings (docs/SPEC.md §3.3, §4.5, §4.6, §13): thresholds, trust levels, decay, analytics and allow-lists.</summary>
public sealed class SettingsService(IDbContextFactory<AppDbContext> dbFactory, TimeProvider clock, Trust.TrustRecalculator recalculator)
{
    public const int MaxScore = SettingsLimits.MaxScore;

    public async Task<SettingsView> GetAsync(string actorId, Guid communityId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var admin = await PermissionService.DemandAdminAsync(db, communityId, actorId, ct);
        var settings = admin.Settings;
        // Only current members: someone who left drops off the list instead of blocking the next save.
        var pollCreators = await db.Memberships.Where(m => m.CommunityId == communityId && settings.PollCreatorUsers.Contains(m.UserId))
            .OrderBy(m => m.User.DisplayName).Select(m => new UserRef(m.UserId, m.User.DisplayName, m.User.UserName!)).ToListAsync(ct);
        return new SettingsView(
            PermissionCatalog.All.Select(p => View(p, settings.ThresholdFor(p.Permission), admin.Levels)).ToList(),
            admin.Levels.OrderBy(l => l.MinScore).ToList(), settings.Decay, settings.Analytics, pollCreators, settings.DisputeHandlingCouncils,
            settings.RequestConfirmDays)
        {
            RecognitionMonthlyBudget = settings.RecognitionMonthlyBudget,
        };
    }

    /// <summary>
    /// Applies <paramref name="patch"/> to the stored settings under the community's row lock, so two admins saving at
    /// the same moment both keep their change. Every field it names is validated first: one bad field saves nothing.
    /// The audit entry lists exactly the fields whose typed value changed, old → new.
    /// </summary>
    public async Task SaveAsync(string actorId, Guid communityId, SettingsPatch patch, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = actorId;
        var changes = await db.InTransactionAsync(async () =>
        {
            await Members.MemberService.LockCommunityAsync(db, communityId, ct);
            var admin = await PermissionService.DemandAdminAsync(db, communityId, actorId, ct);
            var community = await db.Communities.SingleAsync(c => c.Id == communityId, ct);
            var old = community.Settings;
            var updated = CommunitySettings.FromJson(old.ToJson());
            var errors = new Dictionary<string, string>();

            foreach (var (key, text) in patch.Thresholds ?? new Dictionary<string, string>())
            {
                if (PermissionCatalog.All.All(p => p.SettingName != key)) throw new ArgumentException($"No threshold is named '{key}'.", nameof(patch));
                var parsed = ParseThreshold(text, admin.Levels, out var error);
                if (parsed is null) errors[key] = error!;
                else updated.Thresholds[key] = parsed;
            }
            foreach (var field in Fields)
            {
                if (field.FromPatch(patch) is { } value) field.Set(updated, value);
            }
            var decay = updated.Decay;
            if (patch.DecayFullMonths is not null && decay.FullMonths is < SettingsLimits.MinFullMonths or > SettingsLimits.MaxFullMonths)
                errors["decay.fullMonths"] = Text.Get("Error.FullMonths");
            if ((patch.DecayFullMonths ?? patch.DecayExpireMonths) is not null && (decay.ExpireMonths <= decay.FullMonths || decay.ExpireMonths > SettingsLimits.MaxExpireMonths))
                errors["decay.expireMonths"] = Text.Get("Error.ExpireMonths");
            var analytics = updated.Analytics;
            if (patch.NonContributionThresholdDays is not null && analytics.NonContributionThresholdDays is < SettingsLimits.MinDays or > SettingsLimits.MaxDays)
                errors["analytics.nonContributionThresholdDays"] = Text.Get("Error.Days");
            if (patch.DashboardRefreshInterval is not null && analytics.DashboardRefreshInterval is < SettingsLimits.MinRefreshSeconds or > SettingsLimits.MaxRefreshSeconds)
                errors["analytics.dashboardRefreshInterval"] = Text.Get("Error.Seconds");
            if (patch.RecognitionMonthlyBudget is not null && updated.RecognitionMonthlyBudget is < SettingsLimits.MinRecognitionBudget or > SettingsLimits.MaxRecognitionBudget)
                errors["recognitionMonthlyBudget"] = Text.Get("Recognition.Error.BudgetRange", SettingsLimits.MinRecognitionBudget, SettingsLimits.MaxRecognitionBudget);

            if (patch.RequestConfirmDays is not null && updated.RequestConfirmDays is < SettingsLimits.MinConfirmDays or > SettingsLimits.MaxConfirmDays)
                errors["requestConfirmDays"] = Text.Get("Error.ConfirmDays", SettingsLimits.MinConfirmDays, SettingsLimits.MaxConfirmDays);
            if (patch.PollCreatorUsers is { } requested)
            {
                var pollCreators = requested.Distinct().ToList();
                var memberIds = await db.Memberships.Where(m => m.CommunityId == communityId && pollCreators.Contains(m.UserId)).Select(m => m.UserId).ToListAsync(ct);
                if (memberIds.Count != pollCreators.Count)
                {
                    var strangers = await db.Users.Where(u => pollCreators.Except(memberIds).Contains(u.Id)).Select(u => u.DisplayName).ToListAsync(ct);
                    errors["pollCreatorUsers"] = Text.Get("Error.PollCreatorsMembers", string.Join(", ", strangers));
                }
                updated.PollCreatorUsers = pollCreators;
            }
            if (patch.DisputeHandlingCouncils is { } councils) updated.DisputeHandlingCouncils = councils.Distinct().ToList();
            ValidationFailedException.ThrowIfAny(errors);

            var changes = await DiffAsync(db, old, updated, admin.Levels, ct);
            if (changes.Count == 0) return changes;
            community.Settings = updated;
            db.AuditLog.Add(AuditEntry.Record(communityId, actorId, AuditAction.SettingsChanged, changes, at: Now));
            await db.SaveChangesAsync(ct);
            return changes;
        }, ct);
        // Decay settings change every award's weight: scores follow at once.
        if (changes.Keys.Any(k => k.StartsWith("decay.", StringComparison.Ordinal))) await recalculator.RecomputeCommunityAsync(communityId, ct);
    }

    public Task<Guid> AddLevelAsync(string actorId, Guid communityId, string name, int minScore, CancellationToken ct = default) =>
        InLevelTransactionAsync(actorId, communityId, async (db, levels, settings) =>
        {
            var trimmed = ValidateLevel(name, minScore, levels, exceptId: null);
            var level = new TrustLevel { CommunityId = communityId, Name = trimmed, MinScore = minScore };
            db.TrustLevels.Add(level);
            db.AuditLog.Add(AuditEntry.Record(communityId, actorId, AuditAction.TrustLevelAdded, new { name = trimmed, minScore }, at: Now));
            return level.Id;
        }, ct);

    /// <summary>Renames or re-thresholds a level. Thresholds that name the level follow it: they store its id.</summary>
    public Task UpdateLevelAsync(string actorId, Guid communityId, Guid levelId, string name, int minScore, CancellationToken ct = default) =>
        InLevelTransactionAsync(actorId, communityId, async (db, levels, settings) =>
        {
            var level = await db.TrustLevels.SingleOrDefaultAsync(l => l.Id == levelId && l.CommunityId == communityId, ct)
                        ?? throw new NotFoundException(Text.Get("Error.LevelNotFound"));
            var trimmed = ValidateLevel(name, minScore, levels, exceptId: levelId);
            if (level.MinScore == 0 && minScore != 0) throw new ValidationFailedException(new Dictionary<string, string> { ["minScore"] = KeepZeroLevel });
            var changes = new Dictionary<string, object>();
            if (level.Name != trimmed) changes["name"] = AuditEntry.Change(level.Name, trimmed);
            if (level.MinScore != minScore) changes["minScore"] = AuditEntry.Change(level.MinScore, minScore);
            if (changes.Count == 0) return levelId;
            level.Name = trimmed;
            level.MinScore = minScore;
            db.AuditLog.Add(AuditEntry.Record(communityId, actorId, AuditAction.TrustLevelChanged, changes, at: Now));
            return levelId;
        }, ct);

    /// <summary>Deletes a level. If thresholds still name it, the admin must choose a replacement level, which they then name instead.</summary>
    public Task DeleteLevelAsync(string actorId, Guid communityId, Guid levelId, Guid? replacementLevelId, CancellationToken ct = default) =>
        InLevelTransactionAsync(actorId, communityId, async (db, levels, settings) =>
        {
            var level = levels.FirstOrDefault(l => l.Id == levelId) ?? throw new NotFoundException(Text.Get("Error.LevelNotFound"));
            if (level.MinScore == 0) throw new AppException(KeepZeroLevel);
            var referencing = settings.Thresholds.Where(t => t.Value.Type == ThresholdType.Level && t.Value.LevelId == levelId).Select(t => t.Key).ToList();
            if (referencing.Count > 0)
            {
                var replacement = levels.FirstOrDefault(l => l.Id == replacementLevelId && l.Id != levelId)
                    ?? throw new ValidationFailedException(new Dictionary<string, string>
                    {
                        ["replacement"] = Text.Get("Error.LevelInUse", level.Name, string.Join(", ", referencing)),
                    });
                var community = await db.Communities.SingleAsync(c => c.Id == communityId, ct);
                var thresholds = new Dictionary<string, Threshold>(settings.Thresholds);
                foreach (var key in referencing) thresholds[key] = Threshold.Level(replacement.Id);
                community.Settings = CopyWith(settings, thresholds);
            }
            await db.TrustLevels.Where(l => l.Id == levelId).ExecuteDeleteAsync(ct);
            CommunityCache.Invalidate(communityId);
            db.AuditLog.Add(AuditEntry.Record(communityId, actorId, AuditAction.TrustLevelDeleted,
                new { name = level.Name, level.MinScore, replacedIn = referencing }, at: Now));
            return levelId;
        }, ct);

    /// <summary>Parses "15" or a level name; null with a message for anything else.</summary>
    public static Threshold? ParseThreshold(string? text, IReadOnlyList<TrustLevelInfo> levels, out string? error)
    {
        error = null;
        var value = text?.Trim() ?? "";
        if (value.Length == 0) error = Text.Get("Error.ThresholdEmpty");
        else if (decimal.TryParse(value, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
        {
            if (number != decimal.Truncate(number)) error = Text.Get("Error.WholeNumber");
            else if (number < 0) error = Text.Get("Error.NonNegative");
            else if (number > MaxScore) error = Text.Get("Error.AtMost", MaxScore);
            else return Threshold.Number((int)number);
        }
        else if (levels.FirstOrDefault(l => string.Equals(l.Name, value, StringComparison.OrdinalIgnoreCase)) is { } level) return Threshold.Level(level.Id);
        else error = Text.Get("Error.NoSuchLevel", value);
        return null;
    }

    private static string KeepZeroLevel => Text.Get("Error.KeepZeroLevel");

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    private async Task<T> InLevelTransactionAsync<T>(string actorId, Guid communityId, Func<AppDbContext, IReadOnlyList<TrustLevelInfo>, CommunitySettings, Task<T>> change, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = actorId;
        return await db.InTransactionAsync(async () =>
        {
            await Members.MemberService.LockCommunityAsync(db, communityId, ct);
            var admin = await PermissionService.DemandAdminAsync(db, communityId, actorId, ct);
            var result = await change(db, admin.Levels, admin.Settings);
            await db.SaveChangesAsync(ct);
            return result;
        }, ct);
    }

    private static string ValidateLevel(string name, int minScore, IReadOnlyList<TrustLevelInfo> levels, Guid? exceptId)
    {
        // A level's name is a title people read beside members: the rules of Data/Names.cs.
        var trimmed = Names.Normalize(name);
        var errors = new Dictionary<string, string>();
        if (trimmed.Length == 0) errors["name"] = Text.Get("Error.NameRequired");
        else if (trimmed.Length > TrustLevel.NameMaxLength) errors["name"] = Text.Get("Error.MaxChars", TrustLevel.NameMaxLength);
        else if (Names.HasHiddenCharacters(trimmed)) errors["name"] = Names.HiddenCharactersMessage;
        else if (int.TryParse(trimmed, out _)) errors["name"] = Text.Get("Error.LevelNameNumber");
        else if (levels.Any(l => l.Id != exceptId && string.Equals(l.Name, trimmed, StringComparison.OrdinalIgnoreCase))) errors["name"] = Text.Get("Error.LevelNameTaken", trimmed);
        if (minScore < 0) errors["minScore"] = Text.Get("Error.NonNegative");
        else if (minScore > MaxScore) errors["minScore"] = Text.Get("Error.AtMost", MaxScore);
        else if (levels.Any(l => l.Id != exceptId && l.MinScore == minScore)) errors["minScore"] = Text.Get("Error.LevelMinTaken", minScore);
        ValidationFailedException.ThrowIfAny(errors);
        return trimmed;
    }

    private static ThresholdView View(PermissionDefinition definition, Threshold threshold, IReadOnlyList<TrustLevelInfo> levels) =>
        new(definition.Permission, definition.SettingName, ThresholdText(threshold, levels), TrustTitles.Resolve(threshold, levels));

    private static string ThresholdText(Threshold threshold, IReadOnlyList<TrustLevelInfo> levels) =>
        threshold.Type == ThresholdType.Number
            ? threshold.Value.ToString(CultureInfo.InvariantCulture)
            : levels.FirstOrDefault(l => l.Id == threshold.LevelId)?.Name ?? "(deleted level)";

    private static CommunitySettings CopyWith(CommunitySettings settings, Dictionary<string, Threshold> thresholds)
    {
        var copy = CommunitySettings.FromJson(settings.ToJson());
        copy.Thresholds = thresholds;
        return copy;
    }

    /// <summary>One scalar setting: its audit and field-message key, its value in a patch, and how to read and write it.</summary>
    private sealed record Field(string Key, Func<SettingsPatch, object?> FromPatch, Func<CommunitySettings, object> Get, Action<CommunitySettings, object> Set);

    private static readonly Field[] Fields =
    [
        new("decay.enabled", p => p.DecayEnabled, s => s.Decay.Enabled, (s, v) => s.Decay.Enabled = (bool)v),
        new("decay.fullMonths", p => p.DecayFullMonths, s => s.Decay.FullMonths, (s, v) => s.Decay.FullMonths = (int)v),
        new("decay.expireMonths", p => p.DecayExpireMonths, s => s.Decay.ExpireMonths, (s, v) => s.Decay.ExpireMonths = (int)v),
        new("analytics.nonContributionThresholdDays", p => p.NonContributionThresholdDays, s => s.Analytics.NonContributionThresholdDays,
            (s, v) => s.Analytics.NonContributionThresholdDays = (int)v),
        new("analytics.dashboardRefreshInterval", p => p.DashboardRefreshInterval, s => s.Analytics.DashboardRefreshInterval,
            (s, v) => s.Analytics.DashboardRefreshInterval = (int)v),
        new("analytics.showActiveMembers", p => p.ShowActiveMembers, s => s.Analytics.MetricVisibilitySettings.ShowActiveMembers,
            (s, v) => s.Analytics.MetricVisibilitySettings.ShowActiveMembers = (bool)v),
        new("analytics.showWealthGeneration", p => p.ShowWealthGeneration, s => s.Analytics.MetricVisibilitySettings.ShowWealthGeneration,
            (s, v) => s.Analytics.MetricVisibilitySettings.ShowWealthGeneration = (bool)v),
        new("analytics.showTrustNetwork", p => p.ShowTrustNetwork, s => s.Analytics.MetricVisibilitySettings.ShowTrustNetwork,
            (s, v) => s.Analytics.MetricVisibilitySettings.ShowTrustNetwork = (bool)v),
        new("analytics.showCouncilActivity", p => p.ShowCouncilActivity, s => s.Analytics.MetricVisibilitySettings.ShowCouncilActivity,
            (s, v) => s.Analytics.MetricVisibilitySettings.ShowCouncilActivity = (bool)v),
        new("analytics.showNeedsFulfillment", p => p.ShowNeedsFulfillment, s => s.Analytics.MetricVisibilitySettings.ShowNeedsFulfillment,
            (s, v) => s.Analytics.MetricVisibilitySettings.ShowNeedsFulfillment = (bool)v),
        new("analytics.showDisputeRate", p => p.ShowDisputeRate, s => s.Analytics.MetricVisibilitySettings.ShowDisputeRate,
            (s, v) => s.Analytics.MetricVisibilitySettings.ShowDisputeRate = (bool)v),
        new("requestConfirmDays", p => p.RequestConfirmDays, s => s.RequestConfirmDays, (s, v) => s.RequestConfirmDays = (int)v),
        new("recognitionMonthlyBudget", p => p.RecognitionMonthlyBudget, s => s.RecognitionMonthlyBudget, (s, v) => s.RecognitionMonthlyBudget = (int)v),
    ];

    /// <summary>
    /// The fields whose typed value differs, old → new: thresholds compared as thresholds (and logged as the number or
    /// the level's name), lists compared as sets (poll creators logged by name).
    /// </summary>
    private static async Task<Dictionary<string, object>> DiffAsync(AppDbContext db, CommunitySettings old, CommunitySettings updated,
        IReadOnlyList<TrustLevelInfo> levels, CancellationToken ct)
    {
        var changes = new Dictionary<string, object>();
        foreach (var definition in PermissionCatalog.All)
        {
            var (before, after) = (old.ThresholdFor(definition.Permission), updated.ThresholdFor(definition.Permission));
            if (before != after) changes[definition.SettingName] = AuditEntry.Change(Logged(before, levels), Logged(after, levels));
        }
        foreach (var field in Fields)
        {
            var (before, after) = (field.Get(old), field.Get(updated));
            if (!before.Equals(after)) changes[field.Key] = AuditEntry.Change(before, after);
        }
        if (!old.PollCreatorUsers.ToHashSet().SetEquals(updated.PollCreatorUsers))
        {
            var ids = old.PollCreatorUsers.Concat(updated.PollCreatorUsers).Distinct().ToList();
            var names = await db.Users.Where(u => ids.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.DisplayName, ct);
            string[] Named(IEnumerable<string> users) => [.. users.Select(id => names.GetValueOrDefault(id, id)).Order(StringComparer.CurrentCulture)];
            changes["pollCreatorUsers"] = AuditEntry.Change(Named(old.PollCreatorUsers), Named(updated.PollCreatorUsers));
        }
        if (!old.DisputeHandlingCouncils.ToHashSet().SetEquals(updated.DisputeHandlingCouncils))
            changes["disputeHandlingCouncils"] = AuditEntry.Change(old.DisputeHandlingCouncils.Order().ToArray(), updated.DisputeHandlingCouncils.Order().ToArray());
        return changes;
    }

    /// <summary>A threshold as the log shows it: its number, or the name of its level.</summary>
    private static object Logged(Threshold threshold, IReadOnlyList<TrustLevelInfo> levels) =>
        threshold.Type == ThresholdType.Number ? threshold.Value : ThresholdText(threshold, levels);
}

/// <summary>The ranges the settings accept; the page shows them beside each field and the service refuses anything outside.</summary>
public static class SettingsLimits
{
    /// <summary>The largest threshold, level minimum or admin grant.</summary>
    public const int MaxScore = 1_000_000;

    public const int MinFullMonths = 0;
    public const int MaxFullMonths = 120;
    public const int MaxExpireMonths = 240;
    public const int MinDays = 1;
    public const int MaxDays = 3650;
    public const int MinRefreshSeconds = 5;
    public const int MaxRefreshSeconds = 86_400;
    public const int MinConfirmDays = 1;
    public const int MaxConfirmDays = 365;
    public const int MinRecognitionBudget = 0;
    public const int MaxRecognitionBudget = 1_000;
}

/// <summary>One-click starting points for the thresholds, then tuned by hand (docs/SPEC.md §3.3 defaults in the middle).</summary>
public static class SettingsPresets
{
    public static readonly IReadOnlyList<(string Key, IReadOnlyDictionary<string, int> Thresholds)> All =
    [
        ("SmallNew", Build(award: 3, wealth: 1, needs: 0, polls: 5, disputes: 5, pools: 5, councils: 8, items: 5, analytics: 5, threads: 2, flag: 3, review: 8, moderate: 10, checkout: 0, endorse: 2, recognition: 2)),
        ("Default", PermissionCatalog.All.ToDictionary(p => p.SettingName, p => p.DefaultThreshold)),
        ("LargeMature", Build(award: 25, wealth: 15, needs: 10, polls: 30, disputes: 40, pools: 40, councils: 50, items: 40, analytics: 40, threads: 20, flag: 25, review: 60, moderate: 60, checkout: 10, endorse: 15, recognition: 15)),
    ];

    private static Dictionary<string, int> Build(int award, int wealth, int needs, int polls, int disputes, int pools, int councils, int items, int analytics, int threads, int flag, int review, int moderate, int checkout, int endorse, int recognition)
    {
        int[] values = [award, wealth, needs, polls, disputes, pools, councils, items, analytics, threads, flag, review, moderate, checkout, endorse, recognition];
        return PermissionCatalog.All.Select((p, i) => (p.SettingName, values[i])).ToDictionary();
    }
}
