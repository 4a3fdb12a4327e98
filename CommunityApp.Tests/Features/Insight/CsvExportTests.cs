using System.Data.Common;
using System.Diagnostics;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using CommunityApp.Features.Audit;
using CommunityApp.Features.Insight;
using CommunityApp.Features.Members;
using CommunityApp.Features.Wealth;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Features.Insight;

/// <summary>
/// CSV exports (docs/SPEC.md §13) on PostgreSQL: headers and rows with the page's filters, the permission checks, formula
/// escaping, and a 50,000-row export that streams: the rows reach the output while the query's reader is still open.
/// </summary>
public sealed class CsvExportTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    private CsvExports Exports => fixture.Get<CsvExports>();

    private async Task<string> UserNameAsync(string userId)
    {
        await using var db = await fixture.NewContextAsync();
        return await db.Users.Where(u => u.Id == userId).Select(u => u.UserName!).SingleAsync();
    }

    private static async Task<string[]> LinesAsync(CsvExport export)
    {
        using var stream = new MemoryStream();
        await export.WriteAsync(stream, CancellationToken.None);
        return Encoding.UTF8.GetString(stream.ToArray()).Split("\r\n")[..^1];
    }

    [Fact]
    public async Task Members_csv_follows_the_search_and_shows_emails_to_admins_only()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var alice = await fixture.AddMemberAsync(communityId, score: 12, userId: await fixture.CreateUserAsync("csvalice"));
        await fixture.AddMemberAsync(communityId, score: 3, userId: await fixture.CreateUserAsync("csvbob"));

        var asAdmin = await LinesAsync(await Exports.MembersAsync(admin, communityId, "csvalice", MemberSort.TrustDescending));
        asAdmin[0].ShouldBe("Name,Username,E-mail,Roles,Trust,Title,Joined");
        asAdmin.Length.ShouldBe(2);
        asAdmin[1].ShouldStartWith("Display csvalice,csvalice,csvalice@example.test,Member,12,");

        var asMember = await LinesAsync(await Exports.MembersAsync(alice, communityId, null, MemberSort.TrustAscending));
        asMember[0].ShouldBe("Name,Username,Roles,Trust,Title,Joined");
        asMember.Skip(1).Select(l => l.Split(',')[1]).ShouldBe([await UserNameAsync(admin), "csvbob", "csvalice"], "ascending trust: admin 0, bob 3, alice 12");
        asMember.ShouldNotContain(l => l.Contains("@example.test"));

        var outsider = await fixture.CreateUserAsync();
        await Should.ThrowAsync<ForbiddenException>(() => Exports.MembersAsync(outsider, communityId, null, MemberSort.Name));
    }

    [Fact]
    public async Task Audit_csv_applies_the_filters_escapes_formulas_and_is_for_admins_only()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var member = await fixture.AddMemberAsync(communityId);
        await using (var db = await fixture.NewContextAsync())
        {
            db.AuditLog.Add(AuditEntry.Record(communityId, admin, AuditAction.InviteCreated, new { note = "=HYPERLINK(\"http://x\")" }, at: new DateTime(2026, 3, 1, 10, 0, 0, DateTimeKind.Utc)));
            db.AuditLog.Add(AuditEntry.Record(communityId, admin, AuditAction.MemberRemoved, new { reason = "spam" }, targetUserId: member, at: new DateTime(2026, 3, 2, 10, 0, 0, DateTimeKind.Utc)));
            await db.SaveChangesAsync();
        }

        var all = await LinesAsync(await Exports.AuditAsync(admin, communityId, new AuditFilter(Action: AuditAction.InviteCreated)));
        all[0].ShouldBe("When,Who,Action,Member affected,Details");
        all.Length.ShouldBe(2);
        all[1].ShouldBe($"2026-03-01 10:00 UTC,Display {await UserNameAsync(admin)},Invite created,,\"note: =HYPERLINK(\"\"http://x\"\")\"");

        var removed = await LinesAsync(await Exports.AuditAsync(admin, communityId, new AuditFilter(From: new DateTime(2026, 3, 2, 0, 0, 0, DateTimeKind.Utc))));
        removed.Length.ShouldBe(2);
        removed[1].ShouldContain("Member removed");
        removed[1].ShouldContain("reason: spam");
        // A name a spreadsheet would run as a formula is escaped.
        await using (var db = await fixture.NewContextAsync())
            await db.Users.Where(u => u.Id == member).ExecuteUpdateAsync(s => s.SetProperty(u => u.DisplayName, "=2+5"));
        var escaped = await LinesAsync(await Exports.AuditAsync(admin, communityId, new AuditFilter(Action: AuditAction.MemberRemoved)));
        escaped[1].ShouldContain("'=2+5");
        escaped[1].ShouldNotContain(",=2+5");

        await Should.ThrowAsync<ForbiddenException>(() => Exports.AuditAsync(member, communityId, new AuditFilter()));
    }

    [Fact]
    public async Task Requests_csv_lists_the_viewers_requests_with_the_status_filter()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var member = await fixture.AddMemberAsync(communityId, userId: await fixture.CreateUserAsync("csvreq"));
        await using (var db = await fixture.NewContextAsync())
        {
            var share = new Share { CommunityId = communityId, OwnerId = admin, Title = "Jam, homemade", Kind = WealthKind.Object, UnitsOffered = 5 };
            db.Shares.Add(share);
            db.ShareRequests.Add(new ShareRequest { ShareId = share.Id, RequesterId = member, Units = 2, Status = RequestStatus.Pending, Message = "Please" });
            db.ShareRequests.Add(new ShareRequest { ShareId = share.Id, RequesterId = member, Units = 1, Status = RequestStatus.Fulfilled });
            await db.SaveChangesAsync();
        }

        var mine = await LinesAsync(await Exports.RequestsAsync(member, communityId, incoming: false, RequestStatus.Pending));
        mine[0].ShouldBe("Share,Requester,Owner,Units,Status,Requested,Message");
        mine.Length.ShouldBe(2);
        mine[1].ShouldStartWith($"\"Jam, homemade\",Display csvreq,Display {await UserNameAsync(admin)},2,Pending,");
        mine[1].ShouldEndWith(",Please");
        (await LinesAsync(await Exports.RequestsAsync(admin, communityId, incoming: true, null))).Length.ShouldBe(3);
        (await LinesAsync(await Exports.RequestsAsync(admin, communityId, incoming: false, null))).Length.ShouldBe(1);
    }

    [Fact]
    public async Task Non_contributors_csv_has_the_page_columns()
    {
        fixture.Clock.Set(DateTimeOffset.UtcNow.AddDays(-60));
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        fixture.Clock.Reset();

        var lines = await LinesAsync(await Exports.NonContributorsAsync(admin, communityId, NonContributorSort.Name));

        lines[0].ShouldBe("Name,Username,Joined,Last contribution");
        lines.Length.ShouldBe(2);
        lines[1].ShouldEndWith(",Never");
        var member = await fixture.AddMemberAsync(communityId);
        await Should.ThrowAsync<ForbiddenException>(() => Exports.NonContributorsAsync(member, communityId, NonContributorSort.Name));
    }

    [Fact]
    public async Task A_50000_row_export_streams_rows_while_the_query_is_still_reading()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        await using (var db = await fixture.NewContextAsync())
        {
            await db.Database.ExecuteSqlAsync($"""
                INSERT INTO audit_log (id, community_id, actor_id, action, details, created_at)
                SELECT gen_random_uuid(), {communityId}, {admin}, 'SettingsChanged', '{"{"}"line":' || g || '{"}"}', now() - g * interval '1 second'
                FROM generate_series(1, 50000) g
                """);
        }
        var export = await Exports.AuditAsync(admin, communityId, new AuditFilter());
        var output = new CountingStream();
        using var watch = new ReaderWatch(communityId, () => output.Bytes);
        var allocated = GC.GetTotalAllocatedBytes(precise: true);

        await export.WriteAsync(output, CancellationToken.None);

        output.Lines.ShouldBe(50_001); // the header and every row
        watch.Rows.ShouldBeGreaterThanOrEqualTo(50_000);
        // Streamed: when the reader closed, nearly everything had already gone out. A list read first (ToListAsync) would have
        // closed the reader before writing a single row, with only the header (or nothing) written.
        watch.BytesWhenReaderClosed.ShouldNotBeNull();
        watch.BytesWhenReaderClosed!.Value.ShouldBeGreaterThan(output.Bytes * 9 / 10, $"{watch.BytesWhenReaderClosed} of {output.Bytes} bytes were out when the reader closed");
        // Nothing is kept: the output itself is not buffered, and the process allocated no more than a few times the CSV's size.
        output.Bytes.ShouldBeGreaterThan(2_000_000);
        TestContext.Current.SendDiagnosticMessage($"50,000-row CSV: {output.Bytes:N0} bytes, {GC.GetTotalAllocatedBytes(precise: true) - allocated:N0} bytes allocated (process-wide)");
    }

    /// <summary>A sink that keeps nothing: it counts bytes and line ends.</summary>
    private sealed class CountingStream : Stream
    {
        public long Bytes { get; private set; }
        public long Lines { get; private set; }
        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));
        public override void Write(ReadOnlySpan<byte> buffer)
        {
            Bytes += buffer.Length;
            foreach (var b in buffer) if (b == (byte)'\n') Lines++;
        }
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Write(buffer.Span);
            return ValueTask.CompletedTask;
        }
        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            Write(buffer.AsSpan(offset, count));
            return Task.CompletedTask;
        }
        public override void Flush() { }
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => Bytes;
        public override long Position { get => Bytes; set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }

    /// <summary>
    /// Listens to EF Core's diagnostics for the export's reader (a command on the audit log with this community's id) and
    /// notes how many bytes the output had when that reader was disposed.
    /// </summary>
    private sealed class ReaderWatch : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
    {
        private readonly Guid communityId;
        private readonly Func<long> bytes;
        private readonly List<IDisposable> subscriptions = [];

        public ReaderWatch(Guid communityId, Func<long> bytes)
        {
            (this.communityId, this.bytes) = (communityId, bytes);
            subscriptions.Add(DiagnosticListener.AllListeners.Subscribe(this));
        }

        public long? BytesWhenReaderClosed { get; private set; }
        public int Rows { get; private set; }

        public void OnNext(DiagnosticListener listener)
        {
            if (listener.Name == DbLoggerCategory.Name) subscriptions.Add(listener.Subscribe(this));
        }

        public void OnNext(KeyValuePair<string, object?> e)
        {
            if (e.Key != RelationalEventId.DataReaderDisposing.Name || e.Value is not DataReaderDisposingEventData data) return;
            if (!data.Command.CommandText.Contains("audit_log", StringComparison.Ordinal)) return;
            if (!data.Command.Parameters.Cast<DbParameter>().Any(p => Equals(p.Value, communityId))) return;
            if (data.ReadCount < 50_000) return;
            (BytesWhenReaderClosed, Rows) = (bytes(), data.ReadCount);
        }

        public void OnCompleted() { }
        public void OnError(Exception error) { }

        public void Dispose()
        {
            foreach (var s in subscriptions) s.Dispose();
        }
    }
}
