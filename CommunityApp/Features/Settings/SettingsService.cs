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
    IReadOnlyList<UserRef> PollCreatorUsers, IReadOnlyList<Guid> DisputeHandlingCouncils);

public sealed record SettingsInput(
    IReadOnlyDictionary<string, string> Thresholds, DecaySettings Decay, AnalyticsSettings Analytics,
    IReadOnlyList<string> PollCreatorUsers, IReadOnlyList<Guid> DisputeHandlingCouncils);

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
            admin.Levels.OrderBy(l => l.MinScore).ToList(), settings.Decay, settings.Analytics, pollCreators, settings.DisputeHandlingCouncils);
    }

    /// <summary>Validates every field, saves all of them or none, and records each change old → new in the audit log.</summary>
    public async Task SaveAsync(string actorId, Guid communityId, SettingsInput input, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ActorId = actorId;
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await Members.MemberService.LockCommunityAsync(db, communityId, ct);
        var admin = await PermissionService.DemandAdminAsync(db, communityId, actorId, ct);
        var errors = new Dictionary<string, string>();

        var thresholds = new Dictionary<string, Threshold>();
        foreach (var definition in PermissionCatalog.All)
        {
            var text = input.Thresholds.GetValueOrDefault(definition.SettingName);
            var parsed = ParseThreshold(text, admin.Levels, out var error);
            if (parsed is null) errors[definition.SettingName] = error!;
            else thresholds[definition.SettingName] = parsed;
        }

        var decay = input.Decay;
        if (decay.FullMonths is < 0 or > 120) errors["decay.fullMonths"] = Text.Get("Error.FullMonths");
        if (decay.ExpireMonths <= decay.FullMonths || decay.ExpireMonths > 240) errors["decay.expireMonths"] = Text.Get("Error.ExpireMonths");
        var analytics = input.Analytics;
        if (analytics.NonContributionThresholdDays is < 1 or > 3650) errors["analytics.nonContributionThresholdDays"] = Text.Get("Error.Days");
        if (analytics.DashboardRefreshInterval is < 5 or > 86400) errors["analytics.dashboardRefreshInterval"] = Text.Get("Error.Seconds");

        var pollCreators = input.PollCreatorUsers.Distinct().ToList();
        var memberIds = await db.Memberships.Where(m => m.CommunityId == communityId && pollCreators.Contains(m.UserId)).Select(m => m.UserId).ToListAsync(ct);
        if (memberIds.Count != pollCreators.Count)
        {
            var strangers = await db.Users.Where(u => pollCreators.Except(memberIds).Contains(u.Id)).Select(u => u.DisplayName).ToListAsync(ct);
            errors["pollCreatorUsers"] = Text.Get("Error.PollCreatorsMembers", string.Join(", ", strangers));
        }
        ValidationFailedException.ThrowIfAny(errors);

        var community = await db.Communities.SingleAsync(c => c.Id == communityId, ct);
        var old = community.Settings;
        var updated = new CommunitySettings
        {
            Thresholds = thresholds,
            Decay = new DecaySettings { Enabled = decay.Enabled, FullMonths = decay.FullMonths, ExpireMonths = decay.ExpireMonths },
            Analytics = new AnalyticsSettings
            {
                NonContributionThresholdDays = analytics.NonContributionThresholdDays,
                DashboardRefreshInterval = analytics.DashboardRefreshInterval,
                MetricVisibilitySettings = analytics.MetricVisibilitySettings,
            },
            PollCreatorUsers = pollCreators,
            DisputeHandlingCouncils = input.DisputeHandlingCouncils.Distinct().ToList(),
            FlagsToAutoHide = old.FlagsToAutoHide,
        };
        var changes = Diff(old, updated, admin.Levels);
        if (changes.Count == 0) return;
        community.Settings = updated;
        db.AuditLog.Add(AuditEntry.Record(communityId, actorId, AuditAction.SettingsChanged, changes, at: clock.GetUtcNow().UtcDateTime));
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        // Decay settings change every award's weight: scores follow at once.
        if (changes.Keys.Any(k => k.StartsWith("decay."))) await recalculator.RecomputeCommunityAsync(communityId, ct);
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
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await Members.MemberService.LockCommunityAsync(db, communityId, ct);
        var admin = await PermissionService.DemandAdminAsync(db, communityId, actorId, ct);
        var result = await change(db, admin.Levels, admin.Settings);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return result;
    }

    private static string ValidateLevel(string name, int minScore, IReadOnlyList<TrustLevelInfo> levels, Guid? exceptId)
    {
        var trimmed = name?.Trim() ?? "";
        var errors = new Dictionary<string, string>();
        if (trimmed.Length == 0) errors["name"] = Text.Get("Error.NameRequired");
        else if (trimmed.Length > TrustLevel.NameMaxLength) errors["name"] = Text.Get("Error.MaxChars", TrustLevel.NameMaxLength);
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

    private static Dictionary<string, object> Diff(CommunitySettings old, CommunitySettings updated, IReadOnlyList<TrustLevelInfo> levels)
    {
        var changes = new Dictionary<string, object>();
        foreach (var definition in PermissionCatalog.All)
        {
            var before = ThresholdText(old.ThresholdFor(definition.Permission), levels);
            var after = ThresholdText(updated.ThresholdFor(definition.Permission), levels);
            if (before != after) changes[definition.SettingName] = AuditEntry.Change(before, after);
        }
        void Compare<T>(string name, T before, T after)
        {
            if (!EqualityComparer<T>.Default.Equals(before, after)) changes[name] = AuditEntry.Change(before, after);
        }
        Compare("decay.enabled", old.Decay.Enabled, updated.Decay.Enabled);
        Compare("decay.fullMonths", old.Decay.FullMonths, updated.Decay.FullMonths);
        Compare("decay.expireMonths", old.Decay.ExpireMonths, updated.Decay.ExpireMonths);
        Compare("nonContributionThresholdDays", old.Analytics.NonContributionThresholdDays, updated.Analytics.NonContributionThresholdDays);
        Compare("dashboardRefreshInterval", old.Analytics.DashboardRefreshInterval, updated.Analytics.DashboardRefreshInterval);
        var (mb, ma) = (old.Analytics.MetricVisibilitySettings, updated.Analytics.MetricVisibilitySettings);
        Compare("metricVisibility.showActiveMembers", mb.ShowActiveMembers, ma.ShowActiveMembers);
        Compare("metricVisibility.showWealthGeneration", mb.ShowWealthGeneration, ma.ShowWealthGeneration);
        Compare("metricVisibility.showTrustNetwork", mb.ShowTrustNetwork, ma.ShowTrustNetwork);
        Compare("metricVisibility.showCouncilActivity", mb.ShowCouncilActivity, ma.ShowCouncilActivity);
        Compare("metricVisibility.showNeedsFulfillment", mb.ShowNeedsFulfillment, ma.ShowNeedsFulfillment);
        Compare("metricVisibility.showDisputeRate", mb.ShowDisputeRate, ma.ShowDisputeRate);
        Compare("pollCreatorUsers", string.Join(",", old.PollCreatorUsers.Order()), string.Join(",", updated.PollCreatorUsers.Order()));
        Compare("disputeHandlingCouncils", string.Join(",", old.DisputeHandlingCouncils.Order()), string.Join(",", updated.DisputeHandlingCouncils.Order()));
        return changes;
    }
}

public static class SettingsLimits
{
    /// <summary>The largest threshold, level minimum or admin grant.</summary>
    public const int MaxScore = 1_000_000;
}

/// <summary>One-click starting points for the thresholds, then tuned by hand (docs/SPEC.md §3.3 defaults in the middle).</summary>
public static class SettingsPresets
{
    public static readonly IReadOnlyList<(string Key, IReadOnlyDictionary<string, int> Thresholds)> All =
    [
        ("SmallNew", Build(award: 3, wealth: 1, needs: 0, polls: 5, disputes: 5, pools: 5, councils: 8, items: 5, analytics: 5, threads: 2, flag: 3, review: 8, moderate: 10)),
        ("Default", PermissionCatalog.All.ToDictionary(p => p.SettingName, p => p.DefaultThreshold)),
        ("LargeMature", Build(award: 25, wealth: 15, needs: 10, polls: 30, disputes: 40, pools: 40, councils: 50, items: 40, analytics: 40, threads: 20, flag: 25, review: 60, moderate: 60)),
    ];

    private static Dictionary<string, int> Build(int award, int wealth, int needs, int polls, int disputes, int pools, int councils, int items, int analytics, int threads, int flag, int review, int moderate)
    {
        int[] values = [award, wealth, needs, polls, disputes, pools, councils, items, analytics, threads, flag, review, moderate];
        return PermissionCatalog.All.Select((p, i) => (p.SettingName, values[i])).ToDictionary();
    }
}
