using System.Globalization;
using System.Text;
using CsvHelper;
using CsvHelper.Configuration;
using Microsoft.EntityFrameworkCore;
using CommunityApp.Auth;
using CommunityApp.Data;
using CommunityApp.Features.Audit;
using CommunityApp.Features.Members;
using CommunityApp.Features.Trust;
using CommunityApp.Features.Wealth;
using CommunityApp.Resources;

namespace CommunityApp.Features.Insight;

/// <summary>A CSV file ready to stream: its name and the writer, which reads the rows from the database as it writes them.</summary>
public sealed record CsvExport(string FileName, Func<Stream, CancellationToken, Task> WriteAsync);

/// <summary>
/// CSV of the tables people see (docs/SPEC.md §13), with the page's filters and sort: members, non-contributors, the audit
/// log and requests. The permission check runs first (a refusal is an exception, nothing is written); then the rows stream
/// from one query straight into the response (never a list in memory). Cells that would start a spreadsheet formula are
/// escaped.
/// </summary>
public sealed class CsvExports(IDbContextFactory<AppDbContext> dbFactory, TimeProvider clock)
{
    private static readonly CsvConfiguration Config = new(CultureInfo.InvariantCulture) { InjectionOptions = InjectionOptions.Escape };

    public static string When(DateTime at) => at.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    private static string Stamp(DateTime now) => now.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    /// <summary>The members list with its search and sort; e-mail addresses (confirmed ones) for admins only, as on the page.</summary>
    public async Task<CsvExport> MembersAsync(string actorId, Guid communityId, string? search, MemberSort sort, CancellationToken ct = default)
    {
        search = search?.Trim();
        if (!Texts.IsStorable(search)) throw new ValidationFailedException(new Dictionary<string, string> { ["search"] = Texts.UnstorableMessage });
        MemberStanding me;
        await using (var check = await dbFactory.CreateDbContextAsync(ct)) me = await PermissionService.DemandMemberAsync(check, communityId, actorId, ct);
        var admin = me.IsAdmin;
        return new CsvExport($"members-{Stamp(clock.GetUtcNow().UtcDateTime)}.csv", (stream, token) => WriteAsync(stream, async csv =>
        {
            Header(csv, "Members.Name", "Insight.Csv.UserName", admin ? "Insight.Csv.Email" : null, "Members.Role", "Members.Trust", "Members.Title", "Insight.Csv.Joined");
            await using var db = await dbFactory.CreateDbContextAsync(token);
            var members = db.Memberships.AsNoTracking().Where(m => m.CommunityId == communityId);
            if (!string.IsNullOrEmpty(search))
            {
                var upper = search.ToUpperInvariant();
                var lower = search.ToLowerInvariant();
                members = admin
                    ? members.Where(m => m.User.NormalizedUserName!.Contains(upper) || m.User.DisplayName.ToLower().Contains(lower) || (m.User.EmailConfirmed && m.User.NormalizedEmail!.Contains(upper)))
                    : members.Where(m => m.User.NormalizedUserName!.Contains(upper) || m.User.DisplayName.ToLower().Contains(lower));
            }
            members = sort switch
            {
                MemberSort.TrustAscending => members.OrderBy(m => m.TrustScore).ThenBy(m => m.Id),
                MemberSort.Name => members.OrderBy(m => m.User.DisplayName).ThenBy(m => m.User.UserName),
                MemberSort.NameDescending => members.OrderByDescending(m => m.User.DisplayName).ThenByDescending(m => m.User.UserName),
                MemberSort.Newest => members.OrderByDescending(m => m.CreatedAt).ThenBy(m => m.Id),
                _ => members.OrderByDescending(m => m.TrustScore).ThenByDescending(m => m.Id),
            };
            var rows = members.Select(m => new { m.User.DisplayName, m.User.UserName, Email = m.User.EmailConfirmed ? m.User.Email : null, m.Role, m.TrustScore, m.CreatedAt });
            await foreach (var r in rows.AsAsyncEnumerable().WithCancellation(token))
            {
                csv.WriteField(r.DisplayName);
                csv.WriteField(r.UserName);
                if (admin) csv.WriteField(r.Email ?? "");
                csv.WriteField(Text.Get($"Role.{r.Role}"));
                csv.WriteField(r.TrustScore);
                csv.WriteField(TrustTitles.For(me.Levels, r.TrustScore)?.Name ?? "");
                csv.WriteField(When(r.CreatedAt));
                await csv.NextRecordAsync();
            }
        }, token));
    }

    /// <summary>The non-contributing members in the page's sort, for admins and holders of the analytics permission.</summary>
    public async Task<CsvExport> NonContributorsAsync(string actorId, Guid communityId, NonContributorSort sort, CancellationToken ct = default)
    {
        MemberStanding standing;
        await using (var check = await dbFactory.CreateDbContextAsync(ct))
            standing = await PermissionService.DemandAsync(check, communityId, actorId, Permission.ViewHealthAnalytics, ct);
        var now = clock.GetUtcNow().UtcDateTime;
        var since = now.AddDays(-standing.Settings.Analytics.NonContributionThresholdDays);
        return new CsvExport($"non-contributors-{Stamp(now)}.csv", (stream, token) => WriteAsync(stream, async csv =>
        {
            Header(csv, "Members.Name", "Insight.Csv.UserName", "Insight.Csv.Joined", "Insight.NonContributors.LastContribution");
            await using var db = await dbFactory.CreateDbContextAsync(token);
            var rows = InsightService.Sorted(InsightService.NonContributors(db, communityId, since), sort).AsNoTracking();
            await foreach (var r in rows.AsAsyncEnumerable().WithCancellation(token))
            {
                csv.WriteField(r.DisplayName);
                csv.WriteField(r.UserName);
                csv.WriteField(When(r.JoinedAt));
                csv.WriteField(r.Last is { } last ? When(last) : Text.Get("Insight.NonContributors.Never"));
                await csv.NextRecordAsync();
            }
        }, token));
    }

    /// <summary>The audit log with the page's filters (actor, action, from, to), newest first; admins only.</summary>
    public async Task<CsvExport> AuditAsync(string actorId, Guid communityId, AuditFilter filter, CancellationToken ct = default)
    {
        if (!Texts.IsStorable(filter.ActorId)) throw new ValidationFailedException(new Dictionary<string, string> { ["actorId"] = Texts.UnstorableMessage });
        await using (var check = await dbFactory.CreateDbContextAsync(ct)) await PermissionService.DemandAdminAsync(check, communityId, actorId, ct);
        return new CsvExport($"audit-log-{Stamp(clock.GetUtcNow().UtcDateTime)}.csv", (stream, token) => WriteAsync(stream, async csv =>
        {
            Header(csv, "Audit.When", "Audit.Actor", "Audit.Action", "Audit.Target", "Audit.Details");
            await using var db = await dbFactory.CreateDbContextAsync(token);
            var entries = db.AuditLog.AsNoTracking().Where(e => e.CommunityId == communityId);
            if (!string.IsNullOrEmpty(filter.ActorId)) entries = entries.Where(e => e.ActorId == filter.ActorId);
            if (filter.Action is { } action) entries = entries.Where(e => e.Action == action);
            if (filter.From is { } from) entries = entries.Where(e => e.CreatedAt >= from.ToUniversalTime());
            if (filter.To is { } to) entries = entries.Where(e => e.CreatedAt < to.ToUniversalTime());
            var rows = entries.OrderByDescending(e => e.CreatedAt).ThenByDescending(e => e.Id)
                .Select(e => new { e.CreatedAt, ActorName = e.Actor.DisplayName, e.Action, TargetName = e.TargetUser != null ? e.TargetUser.DisplayName : null, e.Details });
            await foreach (var r in rows.AsAsyncEnumerable().WithCancellation(token))
            {
                csv.WriteField(When(r.CreatedAt));
                csv.WriteField(r.ActorName);
                csv.WriteField(Text.Get($"AuditAction.{r.Action}"));
                csv.WriteField(r.TargetName ?? "");
                csv.WriteField(AuditDetails.Describe(r.Details));
                await csv.NextRecordAsync();
            }
        }, token));
    }

    /// <summary>The viewer's requests (made, or incoming to their shares) with the page's status filter, newest first.</summary>
    public async Task<CsvExport> RequestsAsync(string actorId, Guid communityId, bool incoming, RequestStatus? status, CancellationToken ct = default)
    {
        await using (var check = await dbFactory.CreateDbContextAsync(ct)) await PermissionService.DemandMemberAsync(check, communityId, actorId, ct);
        var name = incoming ? "incoming-requests" : "my-requests";
        return new CsvExport($"{name}-{Stamp(clock.GetUtcNow().UtcDateTime)}.csv", (stream, token) => WriteAsync(stream, async csv =>
        {
            Header(csv, "Insight.Csv.Share", "Insight.Csv.Requester", "Insight.Csv.Owner", "Insight.Csv.Units", "Insight.Csv.Status", "Insight.Csv.Requested", "Insight.Csv.Message");
            await using var db = await dbFactory.CreateDbContextAsync(token);
            var mine = db.ShareRequests.AsNoTracking().Where(r => r.Share.CommunityId == communityId && (incoming ? r.Share.OwnerId == actorId : r.RequesterId == actorId));
            if (status is { } s) mine = mine.Where(r => r.Status == s);
            var rows = mine.OrderByDescending(r => r.CreatedAt).ThenBy(r => r.Id)
                .Select(r => new { r.Share.Title, Requester = r.Requester.DisplayName, Owner = r.Share.Owner.DisplayName, r.Units, r.Status, r.CreatedAt, r.Message });
            await foreach (var r in rows.AsAsyncEnumerable().WithCancellation(token))
            {
                csv.WriteField(r.Title);
                csv.WriteField(r.Requester);
                csv.WriteField(r.Owner);
                csv.WriteField(r.Units);
                csv.WriteField(Text.Get($"RequestStatus.{r.Status}"));
                csv.WriteField(When(r.CreatedAt));
                csv.WriteField(r.Message ?? "");
                await csv.NextRecordAsync();
            }
        }, token));
    }

    private static void Header(CsvWriter csv, params string?[] keys)
    {
        foreach (var key in keys)
            if (key is not null) csv.WriteField(Text.Get(key));
        csv.NextRecord();
    }

    private static async Task WriteAsync(Stream stream, Func<CsvWriter, Task> rows, CancellationToken ct)
    {
        await using var writer = new StreamWriter(stream, new UTF8Encoding(false), leaveOpen: true);
        await using var csv = new CsvWriter(writer, Config);
        await rows(csv);
        await csv.FlushAsync();
        ct.ThrowIfCancellationRequested();
    }
}
