using System.Security.Cryptography;
using CommunityApp.Data;
using CommunityApp.Features.Communities;

namespace CommunityApp.Features.Invites;

/// <summary>How someone is invited (docs/SPEC.md §11). Stored as text; the names are fixed.</summary>
public enum InviteKind
{
    Direct = 0,
    Link = 1,
}

/// <summary>
/// The stored state of an invite. "Expired" and "used up" are not stored: they follow from the
/// clock and the use count, so an invite stops working at the exact moment it should.
/// </summary>
public enum InviteState
{
    Pending = 0,
    Redeemed = 1,
    Declined = 2,
    Cancelled = 3,
    /// <summary>A direct invite that expired unanswered, marked when the user is invited again (one pending direct invite per user).</summary>
    Lapsed = 4,
}

/// <summary>What a user or admin sees: the stored state combined with expiry and use count.</summary>
public enum InviteStatus
{
    Pending,
    Active,
    Redeemed,
    Declined,
    Cancelled,
    Expired,
    UsedUp,
}

/// <summary>An invitation into a community: direct (one user, single use) or a link (any signed-in user, until it expires, is cancelled or used up).</summary>
public class Invite : IAuditable
{
    public const int TitleMaxLength = 100;

    /// <summary>The longest a link may stay valid.</summary>
    public const int MaxExpiryDays = 365;

    /// <summary>An admin-role link is single-use or lasts at most this long.</summary>
    public const int MaxAdminLinkDays = 7;

    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid CommunityId { get; set; }
    public Community Community { get; set; } = null!;
    public InviteKind Kind { get; set; }
    public MemberRole Role { get; set; }
    public string? Title { get; set; }

    /// <summary>Direct invites: the invited user.</summary>
    public string? InvitedUserId { get; set; }
    public ApplicationUser? InvitedUser { get; set; }

    /// <summary>Link invites: 256 random bits, base64url; unrelated to any id.</summary>
    public string? Secret { get; set; }

    public InviteState State { get; set; }
    public DateTime ExpiresAt { get; set; }
    public int? MaxUses { get; set; }
    public int Uses { get; set; }
    public DateTime? RespondedAt { get; set; }

    public List<InviteRedemption> Redemptions { get; set; } = [];

    public DateTime CreatedAt { get; set; }
    public string? CreatedBy { get; set; }
    public DateTime UpdatedAt { get; set; }

    public InviteStatus StatusAt(DateTime now) => (Kind, State) switch
    {
        (_, InviteState.Cancelled) => InviteStatus.Cancelled,
        (_, InviteState.Lapsed) => InviteStatus.Expired,
        (InviteKind.Direct, InviteState.Redeemed) => InviteStatus.Redeemed,
        (InviteKind.Direct, InviteState.Declined) => InviteStatus.Declined,
        _ when ExpiresAt <= now => InviteStatus.Expired,
        (InviteKind.Link, _) when MaxUses is { } max && Uses >= max => InviteStatus.UsedUp,
        (InviteKind.Link, _) => InviteStatus.Active,
        _ => InviteStatus.Pending,
    };

    public static string NewSecret() => Microsoft.AspNetCore.WebUtilities.WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
}

/// <summary>One use of a link invite: who joined through it, and when.</summary>
public class InviteRedemption
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid InviteId { get; set; }
    public string UserId { get; set; } = "";
    public ApplicationUser User { get; set; } = null!;
    public DateTime RedeemedAt { get; set; }
}
