using Microsoft.EntityFrameworkCore;
using CommunityApp.Features.Audit;
using CommunityApp.Features.Communities;
using CommunityApp.Features.Invites;
using CommunityApp.Features.Members;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Features.Invites;

/// <summary>
/// An invite grants only what its creator can still grant (docs/SPEC.md §11): the backdoor of an admin who, demoted and
/// removed, came back as admin through their own link, and the ways around it.
/// </summary>
public sealed class InviteBackdoorTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    private InviteService Invites => fixture.Get<InviteService>();
    private MemberService Members => fixture.Get<MemberService>();

    private static LinkInviteInput Link(MemberRole role = MemberRole.Member, int? maxUses = null, double days = 5) =>
        new("Door", role, DateTime.UtcNow.AddDays(days), maxUses);

    [Fact]
    public async Task A_demoted_and_removed_admin_cannot_come_back_as_admin_through_their_own_link()
    {
        var (communityId, founder) = await fixture.CreateCommunityAsync();
        var rogue = await fixture.AddMemberAsync(communityId, MemberRole.Admin);
        var (linkId, secret) = await Invites.CreateLinkAsync(rogue, communityId, Link(MemberRole.Admin, maxUses: 1));
        var (memberLinkId, _) = await Invites.CreateLinkAsync(rogue, communityId, Link());

        await Members.ChangeRoleAsync(founder, communityId, rogue, MemberRole.Member);

        await using (var db = await fixture.NewContextAsync())
        {
            (await db.Invites.Where(i => i.Id == linkId || i.Id == memberLinkId).Select(i => i.State).ToListAsync()).ShouldAllBe(s => s == InviteState.Cancelled);
            (await db.AuditLog.CountAsync(e => e.CommunityId == communityId && e.Action == AuditAction.InviteCancelled && e.Details.Contains("creatorDemoted"))).ShouldBe(2);
        }
        (await Should.ThrowAsync<AppException>(() => Invites.RedeemLinkAsync(rogue, secret))).Message.ShouldBe(InviteService.LinkRefusal(InviteStatus.Cancelled));

        await Members.RemoveAsync(founder, communityId, rogue);

        (await Should.ThrowAsync<AppException>(() => Invites.RedeemLinkAsync(rogue, secret))).Message.ShouldBe(InviteService.LinkRefusal(InviteStatus.Cancelled));
        await using var check = await fixture.NewContextAsync();
        (await check.Memberships.AnyAsync(m => m.CommunityId == communityId && m.UserId == rogue)).ShouldBeFalse();
        (await check.Memberships.SingleAsync(m => m.CommunityId == communityId && m.UserId == founder)).Role.ShouldBe(MemberRole.Admin);
    }

    [Fact]
    public async Task An_invite_whose_creator_is_no_longer_admin_is_refused_even_if_it_escaped_cancelling()
    {
        var (communityId, _) = await fixture.CreateCommunityAsync();
        var creator = await fixture.AddMemberAsync(communityId, MemberRole.Admin);
        var (_, secret) = await Invites.CreateLinkAsync(creator, communityId, Link());
        var invitee = await fixture.CreateUserAsync();
        var direct = await Invites.CreateDirectAsync(creator, communityId, new DirectInviteInput(await UserNameAsync(invitee), MemberRole.Member));
        // The role changed behind the services' back (an operator's SQL): redemption checks for itself.
        await using (var db = await fixture.NewContextAsync())
            await db.Memberships.Where(m => m.CommunityId == communityId && m.UserId == creator).ExecuteUpdateAsync(s => s.SetProperty(m => m.Role, MemberRole.Member));

        var joiner = await fixture.CreateUserAsync();
        (await Should.ThrowAsync<AppException>(() => Invites.RedeemLinkAsync(joiner, secret))).Message
            .ShouldBe("This invite is no longer valid: the admin who created it no longer holds that role.");
        (await Should.ThrowAsync<AppException>(() => Invites.AcceptAsync(invitee, direct))).Message
            .ShouldBe("This invite is no longer valid: the admin who created it no longer holds that role.");

        await using var check = await fixture.NewContextAsync();
        (await check.Memberships.CountAsync(m => m.CommunityId == communityId && (m.UserId == joiner || m.UserId == invitee))).ShouldBe(0);
        (await check.Invites.Where(i => i.CommunityId == communityId).SumAsync(i => i.Uses)).ShouldBe(0, "a refused redemption uses nothing up");
        (await check.Invites.SingleAsync(i => i.Id == direct)).State.ShouldBe(InviteState.Pending);
    }

    [Fact]
    public async Task A_removed_member_comes_back_only_through_a_direct_invite_and_one_who_left_may_use_a_link()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var (_, secret) = await Invites.CreateLinkAsync(admin, communityId, Link(maxUses: 10));
        var removed = await fixture.CreateUserAsync();
        var leaver = await fixture.CreateUserAsync();
        await Invites.RedeemLinkAsync(removed, secret);
        await Invites.RedeemLinkAsync(leaver, secret);
        await Members.RemoveAsync(admin, communityId, removed);
        await Members.LeaveAsync(leaver, communityId);
        var (_, newLink) = await Invites.CreateLinkAsync(admin, communityId, Link(maxUses: 10));

        (await Should.ThrowAsync<ForbiddenException>(() => Invites.RedeemLinkAsync(removed, newLink))).Message
            .ShouldBe("An admin removed you from this community; you can come back only if an admin invites you by name.");
        (await Invites.RedeemLinkAsync(leaver, newLink)).Outcome.ShouldBe(RedeemOutcome.Joined);

        var direct = await Invites.CreateDirectAsync(admin, communityId, new DirectInviteInput(await UserNameAsync(removed), MemberRole.Member));
        (await Invites.AcceptAsync(removed, direct)).ShouldBe(communityId);
        await using var check = await fixture.NewContextAsync();
        (await check.Memberships.SingleAsync(m => m.CommunityId == communityId && m.UserId == removed)).RemovedBy.ShouldBeNull();
        (await check.Memberships.IgnoreQueryFilters().SingleAsync(m => m.CommunityId == communityId && m.UserId == removed && m.DeletedAt != null)).RemovedBy.ShouldBe(admin);
    }

    [Fact]
    public async Task Removing_or_leaving_cancels_the_invites_the_admin_created()
    {
        var (communityId, founder) = await fixture.CreateCommunityAsync();
        var removedAdmin = await fixture.AddMemberAsync(communityId, MemberRole.Admin);
        var leavingAdmin = await fixture.AddMemberAsync(communityId, MemberRole.Admin);
        var (fromRemoved, _) = await Invites.CreateLinkAsync(removedAdmin, communityId, Link());
        var (fromLeaver, _) = await Invites.CreateLinkAsync(leavingAdmin, communityId, Link());
        var (fromFounder, _) = await Invites.CreateLinkAsync(founder, communityId, Link());

        await Members.RemoveAsync(founder, communityId, removedAdmin);
        await Members.LeaveAsync(leavingAdmin, communityId);

        await using var db = await fixture.NewContextAsync();
        var states = await db.Invites.Where(i => i.CommunityId == communityId).ToDictionaryAsync(i => i.Id, i => i.State);
        states[fromRemoved].ShouldBe(InviteState.Cancelled);
        states[fromLeaver].ShouldBe(InviteState.Cancelled);
        states[fromFounder].ShouldBe(InviteState.Pending, "the remaining admin's invites stand");
        var reasons = await db.AuditLog.Where(e => e.CommunityId == communityId && e.Action == AuditAction.InviteCancelled).Select(e => e.Details).ToListAsync();
        reasons.Count(r => r.Contains("creatorRemoved")).ShouldBe(1);
        reasons.Count(r => r.Contains("creatorLeft")).ShouldBe(1);
    }

    [Theory]
    [InlineData(null, 30, false)]
    [InlineData(5, 8, false)]
    [InlineData(1, 30, true)]
    [InlineData(null, 6.9, true)]
    public async Task An_admin_link_is_single_use_or_expires_within_seven_days(int? maxUses, double days, bool accepted)
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();

        var create = () => Invites.CreateLinkAsync(admin, communityId, Link(MemberRole.Admin, maxUses, days));

        if (accepted)
        {
            await create();
        }
        else
        {
            (await Should.ThrowAsync<ValidationFailedException>(create)).Errors["expiresAt"]
                .ShouldBe("An admin link makes whoever opens it an admin: make it single-use or let it expire within 7 days.");
        }
        await using var db = await fixture.NewContextAsync();
        (await db.Invites.CountAsync(i => i.CommunityId == communityId)).ShouldBe(accepted ? 1 : 0);
        // A member link may last the full year.
        await Invites.CreateLinkAsync(admin, communityId, Link(MemberRole.Member, null, 300));
    }

    [Fact]
    public async Task Changing_a_role_to_one_that_does_not_exist_is_refused()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var member = await fixture.AddMemberAsync(communityId);

        (await Should.ThrowAsync<ValidationFailedException>(() => Members.ChangeRoleAsync(admin, communityId, member, (MemberRole)42))).Errors.Keys.ShouldBe(["role"]);

        await using var db = await fixture.NewContextAsync();
        (await db.Memberships.SingleAsync(m => m.CommunityId == communityId && m.UserId == member)).Role.ShouldBe(MemberRole.Member);
    }

    [Fact]
    public async Task Two_admins_inviting_the_same_person_at_once_make_one_invite_and_one_notification()
    {
        var (communityId, first) = await fixture.CreateCommunityAsync();
        var second = await fixture.AddMemberAsync(communityId, MemberRole.Admin);
        var invitee = await fixture.CreateUserAsync();
        var userName = await UserNameAsync(invitee);

        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(i =>
            Race.Attempt(() => Invites.CreateDirectAsync(i % 2 == 0 ? first : second, communityId, new DirectInviteInput(userName, MemberRole.Member)))));

        results.Count(won => won).ShouldBe(1);
        await using var db = await fixture.NewContextAsync();
        (await db.Invites.CountAsync(i => i.CommunityId == communityId && i.InvitedUserId == invitee)).ShouldBe(1);
        (await db.Notifications.CountAsync(n => n.UserId == invitee && n.CommunityId == communityId)).ShouldBe(1);
        (await Should.ThrowAsync<ValidationFailedException>(() => Invites.CreateDirectAsync(first, communityId, new DirectInviteInput(userName, MemberRole.Member))))
            .Errors["user"].ShouldNotBeNullOrEmpty();
    }

    [Fact]
    public async Task An_invite_that_expired_unanswered_makes_room_for_a_new_one()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var invitee = await fixture.CreateUserAsync();
        var userName = await UserNameAsync(invitee);
        var old = await Invites.CreateDirectAsync(admin, communityId, new DirectInviteInput(userName, MemberRole.Member));
        await using (var db = await fixture.NewContextAsync())
            await db.Invites.Where(i => i.Id == old).ExecuteUpdateAsync(s => s.SetProperty(i => i.ExpiresAt, DateTime.UtcNow.AddMinutes(-1)));

        var fresh = await Invites.CreateDirectAsync(admin, communityId, new DirectInviteInput(userName, MemberRole.Member));

        await using var check = await fixture.NewContextAsync();
        var states = await check.Invites.Where(i => i.CommunityId == communityId).ToDictionaryAsync(i => i.Id);
        states[old].State.ShouldBe(InviteState.Lapsed);
        states[old].StatusAt(DateTime.UtcNow).ShouldBe(InviteStatus.Expired);
        states[fresh].StatusAt(DateTime.UtcNow).ShouldBe(InviteStatus.Pending);
        (await Invites.AcceptAsync(invitee, fresh)).ShouldBe(communityId);
    }

    private async Task<string> UserNameAsync(string userId)
    {
        await using var db = await fixture.NewContextAsync();
        return await db.Users.Where(u => u.Id == userId).Select(u => u.UserName!).SingleAsync();
    }
}
