using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using System.Security.Cryptography;
using System.Text;
using CommunityApp.Data;
using CommunityApp.Features.Audit;
using CommunityApp.Features.Communities;
using CommunityApp.Features.Invites;

namespace CommunityApp.Features.Demo;

/// <summary>
/// Accounts, the community and its members (Communities, Invites, Members): Ana founds Riverside Commons a year ago and invites
/// her neighbours one by one over the year; Nora comes in through a link; Olga's invite is still open; Jo becomes
/// a second admin. Fills in whatever is missing, so a database from an older seed gets the new neighbours.
/// </summary>
internal sealed class PeopleDemo : IDemoStep
{
    public const string LinkTitle = "Mill Lane newcomers";

    public async Task<bool> RunAsync(DemoStory s, bool earlierChanged, CancellationToken ct)
    {
        var changed = await EnsureAccountsAsync(s, ct);
        var ana = s["ana"];

        await using (var db = await s.DbAsync(ct))
        {
            var existing = await db.Communities.IgnoreQueryFilters()
                .Where(c => c.Name == DemoSeeder.CommunityName && c.CreatedBy == ana)
                .OrderBy(c => c.CreatedAt).Select(c => new { c.Id, c.DeletedAt }).FirstOrDefaultAsync(ct);
            if (existing is { DeletedAt: not null })
            {
                // Someone deleted the demo on purpose: leave it deleted.
                s.Stopped = true;
                return changed;
            }
            if (existing is not null) s.CommunityIdOrNull = existing.Id;
        }
        if (s.CommunityIdOrNull is null)
        {
            s.CommunityIdOrNull = await s.At(DemoSeeder.People[0].JoinedDaysAgo!.Value, 9).Communities.CreateAsync(ana, new(DemoSeeder.CommunityName, DemoSeeder.CommunityDescription));
            changed = true;
        }

        var community = s.CommunityId;
        var people = DemoSeeder.People.Select((p, i) => (Person: p, Index: i)).Where(p => p.Person.UserName != "ana")
            .OrderByDescending(p => p.Person.JoinedDaysAgo ?? -1).ThenBy(p => p.Index).ToList();
        foreach (var (person, index) in people)
        {
            await using var db = await s.DbAsync(ct);
            var userId = s[person.UserName];
            if (await db.Memberships.AnyAsync(m => m.CommunityId == community && m.UserId == userId, ct)) continue;
            var hour = 8 + index * 5 % 12;
            if (person.UserName == "nora")
            {
                var secret = await db.Invites.Where(i => i.CommunityId == community && i.Kind == InviteKind.Link && i.Title == LinkTitle)
                    .Select(i => i.Secret).FirstOrDefaultAsync(ct);
                secret ??= (await s.At(10, 18).Invites.CreateLinkAsync(ana, community, new LinkInviteInput(LinkTitle, MemberRole.Member, s.Day(-20, 18), 10), ct)).Secret;
                await s.At(person.JoinedDaysAgo!.Value, hour).Invites.RedeemLinkAsync(userId, secret!, ct);
                changed = true;
                continue;
            }
            var inviteId = await db.Invites.Where(i => i.CommunityId == community && i.InvitedUserId == userId && i.State == InviteState.Pending)
                .Select(i => (Guid?)i.Id).FirstOrDefaultAsync(ct);
            if (inviteId is null)
            {
                var invitedDaysAgo = (person.JoinedDaysAgo ?? 2) + 1;
                inviteId = await s.At(invitedDaysAgo, 19, index).Invites.CreateDirectAsync(ana, community, new DirectInviteInput(person.UserName, person.Role), ct);
                changed = true;
            }
            if (person.JoinedDaysAgo is { } joined)
            {
                await s.At(joined, hour, 10 + index).Invites.AcceptAsync(userId, inviteId.Value, ct);
                changed = true;
            }
        }

        // Jo helps run the community: Ana makes her an admin, once (a later demotion stays).
        await using (var db = await s.DbAsync(ct))
        {
            var jo = s["jo"];
            if (!await db.AuditLog.AnyAsync(e => e.CommunityId == community && e.TargetUserId == jo && e.Action == AuditAction.RoleChanged, ct))
            {
                await s.At(20, 20).Members.ChangeRoleAsync(ana, community, jo, MemberRole.Admin, ct);
                changed = true;
            }
        }
        return changed;
    }

    /// <summary>Creates the accounts that are missing (usernames are the key) and remembers every id.</summary>
    private static async Task<bool> EnsureAccountsAsync(DemoStory s, CancellationToken ct)
    {
        await using var db = await s.DbAsync(ct);
        var names = DemoSeeder.People.Select(p => p.UserName.ToUpperInvariant()).ToList();
        var existing = await db.Users.Where(u => names.Contains(u.NormalizedUserName!)).Select(u => new { u.NormalizedUserName, u.Id }).ToListAsync(ct);
        var missing = new List<ApplicationUser>();
        foreach (var person in DemoSeeder.People)
        {
            var found = existing.FirstOrDefault(u => u.NormalizedUserName == person.UserName.ToUpperInvariant());
            if (found is not null)
            {
                s.Remember(person.UserName, found.Id);
                continue;
            }
            var email = $"{person.UserName}@example.com";
            var user = new ApplicationUser(UserId(person.UserName))
            {
                UserName = person.UserName, NormalizedUserName = person.UserName.ToUpperInvariant(),
                Email = email, NormalizedEmail = email.ToUpperInvariant(), EmailConfirmed = true,
                DisplayName = person.DisplayName, Bio = person.Bio, SecurityStamp = Guid.NewGuid().ToString("N"),
            };
            missing.Add(user);
            s.Remember(person.UserName, user.Id);
        }
        if (missing.Count == 0) return false;
        // One hash for all: the same password, and hashing is the slowest part of creating an account.
        var hash = new PasswordHasher<ApplicationUser>().HashPassword(missing[0], DemoSeeder.Password);
        foreach (var user in missing) user.PasswordHash = hash;
        s.At(61, 20);
        db.Users.AddRange(missing);
        await db.SaveChangesAsync(ct);
        return true;
    }

    /// <summary>The same user id on every fresh start, so links into the demo keep working after a reset.</summary>
    public static string UserId(string userName) =>
        new Guid(SHA256.HashData(Encoding.UTF8.GetBytes("riverside-commons/" + userName)).AsSpan(0, 16)).ToString();
}
