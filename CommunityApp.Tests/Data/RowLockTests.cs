using Microsoft.EntityFrameworkCore;
using CommunityApp.Data;
using CommunityApp.Features.Invites;
using CommunityApp.Features.Audit;
using CommunityApp.Features.Communities;
using CommunityApp.Features.Members;
using CommunityApp.Features.Trust;
using CommunityApp.Features.Wealth;
using CommunityApp.Resources;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Data;

/// <summary>
/// <see cref="RowLocks.LockForUpdateAsync"/> on PostgreSQL, and each service that locks a row before it reads, decides
/// and writes: the test holds the row's lock with an uncommitted change, the service waits for it, and the service's
/// decision includes the change once it commits. Without the lock the service would decide on what it read before.
/// </summary>
public sealed class RowLockTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    [Fact]
    public async Task A_second_locker_waits_for_the_first_to_commit_and_then_reads_its_change()
    {
        var (communityId, _) = await fixture.CreateCommunityAsync("Before");
        await using var first = await fixture.NewContextWithoutRetriesAsync();
        await using var firstTransaction = await first.Database.BeginTransactionAsync();
        (await first.LockForUpdateAsync<Community>(c => c.Id == communityId)).ShouldBe(1);
        await first.Communities.Where(c => c.Id == communityId).ExecuteUpdateAsync(s => s.SetProperty(c => c.Name, "After"));

        var second = Task.Run(async () =>
        {
            await using var db = await fixture.NewContextWithoutRetriesAsync();
            await using var transaction = await db.Database.BeginTransactionAsync();
            await db.LockForUpdateAsync<Community>(c => c.Id == communityId);
            return await db.Communities.Where(c => c.Id == communityId).Select(c => c.Name).SingleAsync();
        });
        await LockWaits.UntilWaitingAsync(fixture, 1, second);
        second.IsCompleted.ShouldBeFalse("the second lock must wait for the first transaction");
        await firstTransaction.CommitAsync();

        (await second).ShouldBe("After");
    }

    [Fact]
    public async Task Locking_a_membership_leaves_its_community_free_and_a_locked_community_still_takes_rows_pointing_at_it()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var newcomer = await fixture.CreateUserAsync();
        await using var holder = await fixture.NewContextWithoutRetriesAsync();
        await using var held = await holder.Database.BeginTransactionAsync();
        // The membership's query filter joins its community: only the membership is locked.
        (await holder.LockForUpdateAsync<Membership>(m => m.CommunityId == communityId && m.UserId == admin)).ShouldBe(1);
        await InOtherSessionAsync(db => db.LockForUpdateAsync<Community>(c => c.Id == communityId));

        (await holder.LockForUpdateAsync<Community>(c => c.Id == communityId)).ShouldBe(1);
        // Foreign key checks take KEY SHARE on the community row, which FOR NO KEY UPDATE lets through.
        await InOtherSessionAsync(db =>
        {
            db.AuditLog.Add(AuditEntry.Record(communityId, admin, AuditAction.CommunityEdited, new { }));
            db.TrustLevels.Add(new TrustLevel { CommunityId = communityId, Name = "Elder", MinScore = 99 });
            return db.SaveChangesAsync();
        });
        // A membership is different: its insert updates the community's kept member count, so it waits for the lock.
        var join = Task.Run(() => InOtherSessionAsync(db =>
        {
            db.Memberships.Add(new Membership { CommunityId = communityId, UserId = newcomer });
            return db.SaveChangesAsync();
        }));
        await LockWaits.UntilWaitingAsync(fixture, 1, join);
        await held.CommitAsync();
        await join;
    }

    [Fact]
    public async Task A_join_waits_for_the_community_before_it_takes_its_invite_so_a_member_leaving_meanwhile_does_not_deadlock_with_it()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var joiner = await fixture.CreateUserAsync();
        var invites = fixture.Get<InviteService>();
        var (inviteId, secret) = await invites.CreateLinkAsync(admin, communityId,
            new LinkInviteInput("Everyone", MemberRole.Member, fixture.Clock.GetUtcNow().UtcDateTime.AddDays(1), null));
        await using var holder = await fixture.NewContextWithoutRetriesAsync();
        await using var held = await holder.Database.BeginTransactionAsync();
        await holder.Database.ExecuteSqlRawAsync("SET LOCAL lock_timeout = '3s'");
        // As a member leaving does: the community first, then the invites they created (to cancel them).
        await holder.LockForUpdateAsync<Community>(c => c.Id == communityId);

        var join = Task.Run(() => invites.RedeemLinkAsync(joiner, secret));
        await LockWaits.UntilWaitingAsync(fixture, 1, join);
        // Had the join counted its use of the invite first, this would wait for it while it waits for the community.
        (await holder.LockForUpdateAsync<Invite>(i => i.Id == inviteId)).ShouldBe(1);
        await held.CommitAsync();

        (await join).Outcome.ShouldBe(RedeemOutcome.Joined);
    }

    [Fact]
    public async Task Only_rows_the_query_filters_let_through_are_locked_and_a_transaction_is_required()
    {
        var (communityId, _) = await fixture.CreateCommunityAsync();
        var leaver = await fixture.AddMemberAsync(communityId);
        await fixture.Get<MemberService>().LeaveAsync(leaver, communityId);
        await using var db = await fixture.NewContextWithoutRetriesAsync();

        await Should.ThrowAsync<InvalidOperationException>(() => db.LockForUpdateAsync<Community>(c => c.Id == communityId));

        await using var transaction = await db.Database.BeginTransactionAsync();
        (await db.LockForUpdateAsync<Membership>(m => m.CommunityId == communityId && m.UserId == leaver)).ShouldBe(0);
        (await db.LockForUpdateAsync<Membership>(m => m.CommunityId == communityId)).ShouldBe(1);
    }

    [Fact]
    public async Task Requesting_waits_for_the_share_lock_so_the_per_member_cap_counts_a_request_being_written()
    {
        var (communityId, owner) = await fixture.CreateCommunityAsync();
        var requester = await fixture.AddMemberAsync(communityId, score: 10);
        var shares = fixture.Get<ShareService>();
        var shareId = await shares.CreateAsync(owner, communityId, new ShareInput("Eggs", null, WealthKind.Object, 10, MaxUnitsPerMember: 2));
        await using var holder = await fixture.NewContextWithoutRetriesAsync();
        await using var held = await holder.Database.BeginTransactionAsync();
        await holder.LockForUpdateAsync<Share>(s => s.Id == shareId);
        holder.ShareRequests.Add(new ShareRequest { ShareId = shareId, RequesterId = requester, Units = 2, Status = RequestStatus.Pending });
        await holder.SaveChangesAsync();

        var request = Task.Run(() => shares.RequestAsync(requester, shareId, 1, null));
        await LockWaits.UntilWaitingAsync(fixture, 1, request);
        await held.CommitAsync();

        (await Should.ThrowAsync<ValidationFailedException>(() => request)).Errors.ShouldBe(new Dictionary<string, string> { ["units"] = Text.Get("Error.MaxPerMember", 2, 2) });
    }

    [Fact]
    public async Task Editing_a_share_waits_for_the_share_lock_so_units_never_drop_below_a_reservation_being_written()
    {
        var (communityId, owner) = await fixture.CreateCommunityAsync();
        var shares = fixture.Get<ShareService>();
        var shareId = await shares.CreateAsync(owner, communityId, new ShareInput("Chairs", null, WealthKind.Object, 5));
        await using var holder = await fixture.NewContextWithoutRetriesAsync();
        await using var held = await holder.Database.BeginTransactionAsync();
        await holder.LockForUpdateAsync<Share>(s => s.Id == shareId);
        await holder.Shares.Where(s => s.Id == shareId).ExecuteUpdateAsync(s => s.SetProperty(x => x.UnitsReserved, 4));

        var edit = Task.Run(() => shares.UpdateAsync(owner, shareId, new ShareInput("Chairs", null, WealthKind.Object, 2)));
        await LockWaits.UntilWaitingAsync(fixture, 1, edit);
        await held.CommitAsync();

        (await Should.ThrowAsync<ValidationFailedException>(() => edit)).Errors.ShouldBe(new Dictionary<string, string> { ["units"] = Text.Get("Error.UnitsInUse", 4) });
        await using var db = await fixture.NewContextWithoutRetriesAsync();
        (await db.Shares.SingleAsync(s => s.Id == shareId)).UnitsOffered.ShouldBe(5);
    }

    [Fact]
    public async Task An_award_waits_for_the_receivers_lock_so_the_score_counts_an_award_being_written()
    {
        var (communityId, _) = await fixture.CreateCommunityAsync();
        var receiver = await fixture.AddMemberAsync(communityId);
        var early = await fixture.AddMemberAsync(communityId, score: 20);
        var giver = await fixture.AddMemberAsync(communityId, score: 20);
        await using var holder = await fixture.NewContextWithoutRetriesAsync();
        await using var held = await holder.Database.BeginTransactionAsync();
        await holder.LockForUpdateAsync<Membership>(m => m.CommunityId == communityId && m.UserId == receiver);
        holder.TrustAwards.Add(new TrustAward { CommunityId = communityId, GiverId = early, ReceiverId = receiver, RenewedAt = fixture.Clock.GetUtcNow().UtcDateTime });
        await holder.SaveChangesAsync();

        var award = Task.Run(() => fixture.Get<TrustService>().AwardAsync(giver, communityId, receiver));
        await LockWaits.UntilWaitingAsync(fixture, 1, award);
        await held.CommitAsync();
        await award;

        (await ScoreAsync(communityId, receiver)).ShouldBe(2);
    }

    [Fact]
    public async Task The_decay_recompute_waits_for_the_members_lock_so_it_counts_an_award_being_written()
    {
        var (communityId, _) = await fixture.CreateCommunityAsync();
        await EnableDecayAsync(communityId);
        var receiver = await fixture.AddMemberAsync(communityId);
        var first = await fixture.AddMemberAsync(communityId, score: 20);
        var second = await fixture.AddMemberAsync(communityId, score: 20);
        await fixture.Get<TrustService>().AwardAsync(first, communityId, receiver);
        await fixture.SetScoreAsync(communityId, receiver, 0);
        await using var holder = await fixture.NewContextWithoutRetriesAsync();
        await using var held = await holder.Database.BeginTransactionAsync();
        await holder.LockForUpdateAsync<Membership>(m => m.CommunityId == communityId && m.UserId == receiver);
        holder.TrustAwards.Add(new TrustAward { CommunityId = communityId, GiverId = second, ReceiverId = receiver, RenewedAt = fixture.Clock.GetUtcNow().UtcDateTime });
        await holder.SaveChangesAsync();

        var recompute = Task.Run(() => fixture.Get<TrustRecalculator>().RecomputeCommunityAsync(communityId));
        await LockWaits.UntilWaitingAsync(fixture, 1, recompute);
        await held.CommitAsync();
        await recompute;

        (await ScoreAsync(communityId, receiver)).ShouldBe(2);
    }

    [Fact]
    public async Task An_admin_action_waits_for_the_community_lock_so_the_last_admin_check_sees_a_demotion_being_written()
    {
        var (communityId, first) = await fixture.CreateCommunityAsync();
        var second = await fixture.AddMemberAsync(communityId, MemberRole.Admin);
        await using var holder = await fixture.NewContextWithoutRetriesAsync();
        await using var held = await holder.Database.BeginTransactionAsync();
        await holder.LockForUpdateAsync<Community>(c => c.Id == communityId);
        await holder.Memberships.Where(m => m.CommunityId == communityId && m.UserId == first).ExecuteUpdateAsync(s => s.SetProperty(m => m.Role, MemberRole.Member));

        var leave = Task.Run(() => fixture.Get<MemberService>().LeaveAsync(second, communityId));
        await LockWaits.UntilWaitingAsync(fixture, 1, leave);
        await held.CommitAsync();

        (await Should.ThrowAsync<AppException>(() => leave)).Message.ShouldBe(Text.Get("Error.LastAdminLeave"));
        await using var db = await fixture.NewContextWithoutRetriesAsync();
        (await db.Memberships.CountAsync(m => m.CommunityId == communityId && m.Role == MemberRole.Admin)).ShouldBe(1);
    }

    /// <summary>Runs <paramref name="work"/> in its own transaction, failing instead of waiting when it meets a lock.</summary>
    private async Task InOtherSessionAsync(Func<AppDbContext, Task> work)
    {
        await using var db = await fixture.NewContextWithoutRetriesAsync();
        await using var transaction = await db.Database.BeginTransactionAsync();
        await db.Database.ExecuteSqlRawAsync("SET LOCAL lock_timeout = '3s'");
        await work(db);
        await transaction.CommitAsync();
    }

    private async Task EnableDecayAsync(Guid communityId)
    {
        await using var db = await fixture.NewContextWithoutRetriesAsync();
        var community = await db.Communities.SingleAsync(c => c.Id == communityId);
        var settings = CommunitySettings.FromJson(community.Settings.ToJson());
        settings.Decay.Enabled = true;
        community.Settings = settings;
        await db.SaveChangesAsync();
    }

    private async Task<int> ScoreAsync(Guid communityId, string userId)
    {
        await using var db = await fixture.NewContextWithoutRetriesAsync();
        return await db.Memberships.Where(m => m.CommunityId == communityId && m.UserId == userId).Select(m => m.TrustScore).SingleAsync();
    }
}
