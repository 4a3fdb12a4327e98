using System.Globalization;
using Microsoft.EntityFrameworkCore;
using CommunityApp.Features.Communities;
using CommunityApp.Features.Invites;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Features.Invites;

/// <summary>A direct invite also mails the invited user; what the mail says, in which language, and what happens when it cannot be sent.</summary>
public sealed class InviteMailTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    private InviteService Service => fixture.Get<InviteService>();
    private MailOutbox Outbox => fixture.Get<MailOutbox>();

    [Fact]
    public async Task A_direct_invite_mails_the_invited_user_with_inviter_community_role_and_link()
    {
        CultureInfo.CurrentUICulture = new("en");
        var (communityId, admin) = await fixture.CreateCommunityAsync("Maple Street Share");
        await fixture.CreateUserAsync("mailinvitee");

        await Service.CreateDirectAsync(admin, communityId, new("mailinvitee", MemberRole.Admin));

        var adminName = await DisplayNameAsync(admin);
        var mail = Outbox.To("mailinvitee@example.test").ShouldHaveSingleItem();
        mail.ToName.ShouldBe("Display mailinvitee");
        mail.Subject.ShouldBe($"{adminName} invited you to Maple Street Share");
        mail.TextBody.ShouldStartWith("Hello Display mailinvitee,");
        mail.TextBody.ShouldContain($"{adminName} invited you to join Maple Street Share as Admin.");
        mail.TextBody.ShouldContain($"open for {InviteService.DirectInviteDays} days");
        mail.TextBody.ShouldContain(ServiceFixture.PublicBaseUrl + "communities");
        mail.HtmlBody.ShouldContain($"<a href=\"{ServiceFixture.PublicBaseUrl}communities\">See my invites</a>");
    }

    [Fact]
    public async Task The_invite_mail_is_in_the_language_of_the_inviting_admin()
    {
        CultureInfo.CurrentUICulture = new("es");
        var (communityId, admin) = await fixture.CreateCommunityAsync("Huerto común");
        await fixture.CreateUserAsync("mailinvitee-es");

        await Service.CreateDirectAsync(admin, communityId, new("mailinvitee-es", MemberRole.Member));

        var mail = Outbox.To("mailinvitee-es@example.test").ShouldHaveSingleItem();
        mail.Subject.ShouldBe($"{await DisplayNameAsync(admin)} te ha invitado a Huerto común");
        mail.TextBody.ShouldContain("como Miembro");
    }

    [Fact]
    public async Task A_mail_that_cannot_be_sent_leaves_the_invite_standing()
    {
        CultureInfo.CurrentUICulture = new("en");
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var invitee = await fixture.CreateUserAsync("mailfails");
        Outbox.Failure = new System.Net.Sockets.SocketException();
        try
        {
            await Service.CreateDirectAsync(admin, communityId, new("mailfails", MemberRole.Member));
        }
        finally
        {
            Outbox.Failure = null;
        }

        (await Service.MyPendingAsync(invitee)).ShouldHaveSingleItem().CommunityId.ShouldBe(communityId);
        Outbox.To("mailfails@example.test").ShouldBeEmpty();
    }

    [Fact]
    public async Task A_refused_invite_sends_no_mail()
    {
        CultureInfo.CurrentUICulture = new("en");
        var (communityId, admin) = await fixture.CreateCommunityAsync();
        var member = await fixture.AddMemberAsync(communityId, userId: await fixture.CreateUserAsync("alreadyin"));

        await Should.ThrowAsync<ValidationFailedException>(() => Service.CreateDirectAsync(admin, communityId, new("alreadyin", MemberRole.Member)));

        Outbox.To("alreadyin@example.test").ShouldBeEmpty();
        await using var db = await fixture.NewContextAsync();
        (await db.Invites.AnyAsync(i => i.InvitedUserId == member)).ShouldBeFalse();
    }

    private async Task<string> DisplayNameAsync(string userId)
    {
        await using var db = await fixture.NewContextAsync();
        return await db.Users.Where(u => u.Id == userId).Select(u => u.DisplayName).SingleAsync();
    }
}
