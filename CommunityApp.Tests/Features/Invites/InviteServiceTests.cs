using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using CommunityApp.Features.Audit;
using CommunityApp.Features.Communities;
using CommunityApp.Features.Invites;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Features.Invites;

public sealed class InviteServiceTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    private InviteService Service => fixture.Get<InviteService>();

    private static LinkInviteInput Link(int? maxUses = null, MemberRole role = MemberRole.Member, double days = 7) =>
        new("Spring newcomers", role, DateTime.UtcNow.AddDays(days), maxUses);

    [Fact]
    public async Task A_direct_invite_is_accepted_only_by_its_user_and_only_once()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var invitee = await fixture.CreateUserAsync("directinvitee");
        var stranger = await fixture.CreateUserAsync();

        var inviteId = await Service.CreateDirectAsync(admin, communityId, new("DirectInvitee", MemberRole.Member));

        (await Service.MyPendingAsync(invitee)).ShouldHaveSingleItem().CommunityId.ShouldBe(communityId);
        (await fixture.Get<CommunityApp.Features.Notifications.NotificationService>().LatestAsync(invitee)).ShouldHaveSingleItem().Kind
            .ShouldBe(CommunityApp.Features.Notifications.NotificationKind.InviteReceived);
        await Should.ThrowAsync<NotFoundException>(() => Service.AcceptAsync(stranger, inviteId));
        (await Service.AcceptAsync(invitee, inviteId)).ShouldBe(communityId);
        (await Should.ThrowAsync<AppException>(() => Service.AcceptAsync(invitee, inviteId))).Message.ShouldBe("This invite is already accepted.");
        (await Service.MyPendingAsync(invitee)).ShouldBeEmpty();
        await using var db = await fixture.NewContextAsync();
        (await db.Memberships.SingleAsync(m => m.CommunityId == communityId && m.UserId == invitee)).Role.ShouldBe(MemberRole.Member);
        (await db.Memberships.AnyAsync(m => m.CommunityId == communityId && m.UserId == stranger)).ShouldBeFalse();
    }

    [Fact]
    public async Task Accepting_the_same_direct_invite_twice_at_once_joins_once()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var invitee = await fixture.CreateUserAsync("parallelaccept");
        var inviteId = await Service.CreateDirectAsync(admin, communityId, new("parallelaccept", MemberRole.Admin));

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Race.Attempt(() => Service.AcceptAsync(invitee, inviteId))));

        results.Count(ok => ok).ShouldBe(1);
        await using var db = await fixture.NewContextAsync();
        (await db.Memberships.SingleAsync(m => m.CommunityId == communityId && m.UserId == invitee)).Role.ShouldBe(MemberRole.Admin);
    }

    [Fact]
    public async Task A_declined_or_cancelled_direct_invite_cannot_be_accepted()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var decliner = await fixture.CreateUserAsync("decliner");
        var cancelled = await fixture.CreateUserAsync("cancelledinvitee");
        var first = await Service.CreateDirectAsync(admin, communityId, new("decliner", MemberRole.Member));
        var second = await Service.CreateDirectAsync(admin, communityId, new("cancelledinvitee@example.test", MemberRole.Member));

        await Service.DeclineAsync(decliner, first);
        await Service.CancelAsync(admin, communityId, second);

        (await Should.ThrowAsync<AppException>(() => Service.AcceptAsync(decliner, first))).Message.ShouldBe("This invite is already declined.");
        (await Should.ThrowAsync<AppException>(() => Service.AcceptAsync(cancelled, second))).Message.ShouldBe("This invite is already cancelled.");
        var rows = (await Service.ListAsync(admin, communityId)).Items;
        rows.Single(r => r.Id == first).Status.ShouldBe(InviteStatus.Declined);
        rows.Single(r => r.Id == second).Status.ShouldBe(InviteStatus.Cancelled);
    }

    [Fact]
    public async Task Direct_invites_are_refused_for_unknown_users_existing_members_and_duplicates()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var member = await fixture.AddMemberAsync(communityId);
        var invitee = await fixture.CreateUserAsync("dupinvitee");
        await Service.CreateDirectAsync(admin, communityId, new("dupinvitee", MemberRole.Member));
        await using var db = await fixture.NewContextAsync();
        var memberName = (await db.Users.SingleAsync(u => u.Id == member)).UserName!;

        (await Should.ThrowAsync<ValidationFailedException>(() => Service.CreateDirectAsync(admin, communityId, new("no-such-user", MemberRole.Member)))).Errors["user"].ShouldBe("No user has that username or confirmed e-mail.");
        (await Should.ThrowAsync<ValidationFailedException>(() => Service.CreateDirectAsync(admin, communityId, new(memberName, MemberRole.Member)))).Errors["user"].ShouldBe("That user is already a member.");
        (await Should.ThrowAsync<ValidationFailedException>(() => Service.CreateDirectAsync(admin, communityId, new("dupinvitee", MemberRole.Admin)))).Errors["user"].ShouldBe("That user already has a pending invite.");
        (await db.Invites.CountAsync(i => i.CommunityId == communityId)).ShouldBe(1);
    }

    [Fact]
    public async Task An_email_finds_its_account_only_once_confirmed_so_whoever_registered_it_first_gets_no_invite()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var squatter = await fixture.CreateUserAsync("squat" + Guid.NewGuid().ToString("N")[..8], emailConfirmed: false);
        await using var db = await fixture.NewContextAsync();
        var email = (await db.Users.SingleAsync(u => u.Id == squatter)).Email!;

        (await Should.ThrowAsync<ValidationFailedException>(() => Service.CreateDirectAsync(admin, communityId, new(email, MemberRole.Member))))
            .Errors["user"].ShouldBe("No user has that username or confirmed e-mail.");
        (await db.Invites.CountAsync(i => i.CommunityId == communityId)).ShouldBe(0);
        (await db.Notifications.CountAsync(n => n.UserId == squatter)).ShouldBe(0);

        await db.Users.Where(u => u.Id == squatter).ExecuteUpdateAsync(s => s.SetProperty(u => u.EmailConfirmed, true));
        var inviteId = await Service.CreateDirectAsync(admin, communityId, new(email.ToUpperInvariant(), MemberRole.Member));
        (await db.Invites.SingleAsync(i => i.Id == inviteId)).InvitedUserId.ShouldBe(squatter);
    }

    [Fact]
    public async Task An_admin_may_try_only_so_many_emails_a_day_so_the_answers_cannot_sift_who_is_registered()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        for (var i = 0; i < InviteService.EmailLookupsPerDay; i++)
        {
            (await Should.ThrowAsync<ValidationFailedException>(() => Service.CreateDirectAsync(admin, communityId, new($"probe{i}@nowhere.test", MemberRole.Member))))
                .Errors["user"].ShouldBe("No user has that username or confirmed e-mail.");
        }
        var invitee = await fixture.CreateUserAsync();
        await using var db = await fixture.NewContextAsync();
        var email = (await db.Users.SingleAsync(u => u.Id == invitee)).Email!;

        (await Should.ThrowAsync<ValidationFailedException>(() => Service.CreateDirectAsync(admin, communityId, new(email, MemberRole.Member))))
            .Errors["user"].ShouldBe($"You have tried {InviteService.EmailLookupsPerDay} e-mail addresses today, the most a day. Invite by username, or try again tomorrow.");
        // By username it still works.
        var userName = (await db.Users.SingleAsync(u => u.Id == invitee)).UserName!;
        await Service.CreateDirectAsync(admin, communityId, new(userName, MemberRole.Member));
        (await db.Invites.CountAsync(i => i.CommunityId == communityId)).ShouldBe(1);
    }

    [Fact]
    public async Task A_link_lets_any_signed_in_user_join_and_records_who_redeemed_it()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var (inviteId, secret) = await Service.CreateLinkAsync(admin, communityId, Link(maxUses: 3));
        var joiners = new[] { await fixture.CreateUserAsync(), await fixture.CreateUserAsync() };

        foreach (var joiner in joiners) (await Service.RedeemLinkAsync(joiner, secret)).ShouldBe((communityId, RedeemOutcome.Joined));

        var row = (await Service.ListAsync(admin, communityId)).Items.Single(r => r.Id == inviteId);
        row.Uses.ShouldBe(2);
        row.Status.ShouldBe(InviteStatus.Active);
        row.Redemptions.Select(r => r.UserId).ShouldBe(joiners.AsEnumerable().Reverse(), "latest first");
        (await Service.GetLinkAsync(secret, joiners[0])).AlreadyMember.ShouldBeTrue();
        await using var db = await fixture.NewContextAsync();
        (await db.AuditLog.CountAsync(e => e.CommunityId == communityId && e.Action == AuditAction.InviteRedeemed)).ShouldBe(2);
    }

    [Fact]
    public async Task Expired_cancelled_and_used_up_links_say_so_plainly_and_let_no_one_in()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var (_, usedUp) = await Service.CreateLinkAsync(admin, communityId, Link(maxUses: 1));
        var (cancelledId, cancelled) = await Service.CreateLinkAsync(admin, communityId, Link());
        var (expiredId, expired) = await Service.CreateLinkAsync(admin, communityId, Link());
        await Service.RedeemLinkAsync(await fixture.CreateUserAsync(), usedUp);
        await Service.CancelAsync(admin, communityId, cancelledId);
        await using (var db = await fixture.NewContextAsync())
        {
            await db.Invites.Where(i => i.Id == expiredId).ExecuteUpdateAsync(s => s.SetProperty(i => i.ExpiresAt, DateTime.UtcNow.AddMinutes(-1)));
        }
        var late = await fixture.CreateUserAsync();

        (await Should.ThrowAsync<AppException>(() => Service.RedeemLinkAsync(late, usedUp))).Message.ShouldBe("This invite link has been used the maximum number of times.");
        (await Should.ThrowAsync<AppException>(() => Service.RedeemLinkAsync(late, cancelled))).Message.ShouldBe("This invite link was cancelled by an admin.");
        (await Should.ThrowAsync<AppException>(() => Service.RedeemLinkAsync(late, expired))).Message.ShouldBe("This invite link has expired. Ask an admin for a new one.");
        (await Should.ThrowAsync<NotFoundException>(() => Service.RedeemLinkAsync(late, "not-a-real-secret"))).Message.ShouldContain("not valid");
        (await Service.GetLinkAsync(expired, late)).Status.ShouldBe(InviteStatus.Expired);
        await using var check = await fixture.NewContextAsync();
        (await check.Memberships.AnyAsync(m => m.UserId == late)).ShouldBeFalse();
    }

    [Fact]
    public async Task Two_users_redeeming_the_last_use_at_the_same_moment_let_exactly_one_in()
    {
        for (var round = 0; round < 5; round++)
        {
            var (communityId, admin) = await fixture.CreateCommunityAsync();
            var (inviteId, secret) = await Service.CreateLinkAsync(admin, communityId, Link(maxUses: 1));
            var users = new[] { await fixture.CreateUserAsync(), await fixture.CreateUserAsync() };

            var results = await Task.WhenAll(users.Select(u => Race.Attempt(() => Service.RedeemLinkAsync(u, secret))));

            results.Count(ok => ok).ShouldBe(1);
            await using var db = await fixture.NewContextAsync();
            (await db.Memberships.CountAsync(m => m.CommunityId == communityId)).ShouldBe(2);
            (await db.Invites.SingleAsync(i => i.Id == inviteId)).Uses.ShouldBe(1);
            (await db.InviteRedemptions.CountAsync(r => r.InviteId == inviteId)).ShouldBe(1);
        }
    }

    [Fact]
    public async Task Redeeming_never_lowers_a_role_but_an_admin_link_raises_a_member()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var member = await fixture.AddMemberAsync(communityId);
        var (_, memberLink) = await Service.CreateLinkAsync(admin, communityId, Link());
        var (_, adminLink) = await Service.CreateLinkAsync(admin, communityId, Link(role: MemberRole.Admin));

        (await Service.RedeemLinkAsync(admin, memberLink)).Outcome.ShouldBe(RedeemOutcome.AlreadyMember);
        (await Service.RedeemLinkAsync(member, memberLink)).Outcome.ShouldBe(RedeemOutcome.AlreadyMember);
        (await Service.RedeemLinkAsync(member, adminLink)).Outcome.ShouldBe(RedeemOutcome.RoleRaised);

        await using var db = await fixture.NewContextAsync();
        (await db.Memberships.SingleAsync(m => m.CommunityId == communityId && m.UserId == admin)).Role.ShouldBe(MemberRole.Admin);
        (await db.Memberships.SingleAsync(m => m.CommunityId == communityId && m.UserId == member)).Role.ShouldBe(MemberRole.Admin);
    }

    [Fact]
    public async Task Link_secrets_are_256_random_bits_unrelated_to_ids()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();

        var links = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => Service.CreateLinkAsync(admin, communityId, Link())));

        links.Select(l => l.Secret).Distinct().Count().ShouldBe(5);
        var ids = links.Select(l => l.Id.ToByteArray()).ToList();
        var secrets = links.Select(l => WebEncoders.Base64UrlDecode(l.Secret)).ToList();
        await using var db = await fixture.NewContextAsync();
        foreach (var (id, secret) in links)
        {
            secret.ShouldMatch("^[A-Za-z0-9_-]{43}$");
            (await db.Invites.SingleAsync(i => i.Id == id)).Secret.ShouldBe(secret);
            // Only the secret opens the link: the invite's id, in any spelling, is not a key to it.
            foreach (var guess in new[] { id.ToString(), id.ToString("N"), WebEncoders.Base64UrlEncode(id.ToByteArray()) })
            {
                (await Should.ThrowAsync<NotFoundException>(() => Service.GetLinkAsync(guess, null))).Message.ShouldBe("This invite link is not valid. Check that you copied all of it.");
            }
        }
        // 32 random bytes: no four consecutive bytes shared with any id (v7 ids of one moment share their time prefix) or with another
        // secret. A secret derived from the id, the time or a counter would share some; random ones do so with a chance below 1e-5.
        foreach (var secret in secrets)
        {
            secret.Length.ShouldBe(32);
            var windows = Windows(secret);
            foreach (var id in ids) windows.Overlaps(Windows(id)).ShouldBeFalse();
            foreach (var other in secrets.Where(o => o != secret)) windows.Overlaps(Windows(other)).ShouldBeFalse();
        }

        static HashSet<string> Windows(byte[] bytes) => Enumerable.Range(0, bytes.Length - 3).Select(i => Convert.ToHexString(bytes, i, 4)).ToHashSet();
    }

    [Fact]
    public async Task Joining_by_link_closes_a_pending_direct_invite_to_the_same_community()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var user = await fixture.CreateUserAsync("bothinvites");
        var direct = await Service.CreateDirectAsync(admin, communityId, new("bothinvites", MemberRole.Member));
        var (_, secret) = await Service.CreateLinkAsync(admin, communityId, Link());

        await Service.RedeemLinkAsync(user, secret);

        (await Service.MyPendingAsync(user)).ShouldBeEmpty();
        await Should.ThrowAsync<AppException>(() => Service.AcceptAsync(user, direct));
        (await Should.ThrowAsync<ValidationFailedException>(() => Service.CreateDirectAsync(admin, communityId, new(" ", MemberRole.Member)))).Errors["user"].ShouldBe("Enter a username or e-mail.");
    }

    [Fact]
    public async Task Link_input_is_validated()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();

        var ex = await Should.ThrowAsync<ValidationFailedException>(() =>
            Service.CreateLinkAsync(admin, communityId, new LinkInviteInput(" ", MemberRole.Member, DateTime.UtcNow.AddMinutes(-5), 0)));

        ex.Errors.Keys.ShouldBe(["title", "expiresAt", "maxUses"], ignoreOrder: true);
        (await Service.ListAsync(admin, communityId)).Total.ShouldBe(0);
    }

}
