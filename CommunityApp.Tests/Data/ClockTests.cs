using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using CommunityApp.Features.Audit;
using CommunityApp.Features.Communities;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Data;

/// <summary>Time comes from the injected <see cref="TimeProvider"/>, so tests can move it; nothing reads the system clock directly.</summary>
public sealed partial class ClockTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    private static readonly DateTimeOffset Instant = new(2031, 7, 14, 8, 15, 0, TimeSpan.Zero);

    [Fact]
    public async Task Deleting_a_community_and_an_audit_entry_written_without_a_time_take_the_clocks_time()
    {
        fixture.Clock.Set(Instant);
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        await using (var db = await fixture.NewContextAsync())
        {
            db.AuditLog.Add(AuditEntry.Record(communityId, admin, AuditAction.CommunityEdited, new { name = "x" }));
            await db.SaveChangesAsync();
        }

        fixture.Clock.Advance(TimeSpan.FromDays(1));
        await fixture.Get<CommunityService>().DeleteAsync(admin, communityId);

        await using var check = await fixture.NewContextAsync();
        (await check.Communities.IgnoreQueryFilters().SingleAsync(c => c.Id == communityId))
            .ShouldSatisfyAllConditions(c => c.CreatedAt.ShouldBe(Instant.UtcDateTime), c => c.DeletedAt.ShouldBe(Instant.UtcDateTime.AddDays(1)));
        (await check.AuditLog.SingleAsync(e => e.CommunityId == communityId && e.Action == AuditAction.CommunityEdited)).CreatedAt.ShouldBe(Instant.UtcDateTime);
    }

    [Fact]
    public void The_app_never_reads_the_system_clock_directly()
    {
        var app = Path.Combine(RepositoryRoot(), "CommunityApp");
        var offenders = Directory.EnumerateFiles(app, "*.*", SearchOption.AllDirectories)
            .Where(f => (f.EndsWith(".cs") || f.EndsWith(".razor")) && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
            .SelectMany(f => File.ReadAllLines(f).Select((line, i) => (File: Path.GetFileName(f), Line: i + 1, Text: line)))
            .Where(l => SystemClock().IsMatch(l.Text) || (TimerOrDelay().IsMatch(l.Text) && !l.Text.Contains("clock", StringComparison.OrdinalIgnoreCase)))
            .Select(l => $"{l.File}:{l.Line}: {l.Text.Trim()}")
            .ToList();

        offenders.ShouldBeEmpty("inject TimeProvider (timers and delays take it too)");
    }

    [GeneratedRegex(@"\bDateTime(Offset)?\.(UtcNow|Now|Today)\b")]
    private static partial Regex SystemClock();

    [GeneratedRegex(@"new PeriodicTimer\(|Task\.Delay\(")]
    private static partial Regex TimerOrDelay();

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CommunityApp.sln"))) return dir.FullName;
        }
        throw new DirectoryNotFoundException("CommunityApp.sln not found");
    }
}
