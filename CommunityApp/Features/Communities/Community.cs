using CommunityApp.Data;

namespace CommunityApp.Features.Communities;

/// <summary>An independent, private group with its own members, settings and trust (docs/SPEC.md §2).</summary>
public class Community : IAuditable, ISoftDeletable
{
    public const int NameMaxLength = 100;
    public const int DescriptionMaxLength = 2000;

    public Guid Id { get; set; } = Guid.CreateVersion7();
    public string Name { get; set; } = "";
    public string? Description { get; set; }
    public CommunitySettings Settings { get; set; } = new();

    /// <summary>
    /// The live members (memberships not deleted), kept by the database itself: triggers on <c>memberships</c> (migration
    /// <c>MemberCount</c>) add and subtract in the same transaction as every join, leave and removal, so no page counts the
    /// members. The application never writes it.
    /// </summary>
    public int MemberCount { get; private set; }

    public List<Membership> Memberships { get; set; } = [];
    public List<TrustLevel> TrustLevels { get; set; } = [];

    public DateTime CreatedAt { get; set; }
    public string? CreatedBy { get; set; }
    public DateTime UpdatedAt { get; set; }
    public DateTime? DeletedAt { get; set; }
}

/// <summary>Base role of a member (docs/SPEC.md §3.1). Stored as text; the names are fixed.</summary>
public enum MemberRole
{
    Member = 0,
    Admin = 1,
}

/// <summary>A user in a community. Leaving or removal soft-deletes the row; a later invite creates a new one.</summary>
public class Membership : IAuditable, ISoftDeletable
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid CommunityId { get; set; }
    public Community Community { get; set; } = null!;
    public string UserId { get; set; } = "";
    public ApplicationUser User { get; set; } = null!;
    public MemberRole Role { get; set; }
    public List<MemberFeatureRole> FeatureRoles { get; set; } = [];

    /// <summary>
    /// The member's trust score, maintained in the same transaction as every change to its inputs
    /// (awards, admin grant), so permission checks and "sort by trust" read one indexed column.
    /// </summary>
    public int TrustScore { get; set; }

    /// <summary>Trust an admin granted to bootstrap the community (docs/SPEC.md §4.2); never decays.</summary>
    public int AdminGrant { get; set; }
    public string? AdminGrantSetBy { get; set; }
    public DateTime? AdminGrantSetAt { get; set; }

    /// <summary>
    /// The admin who removed this member (null while a member, and when they left on their own). A removed member
    /// comes back only through a direct invite, never a link (docs/SPEC.md §11).
    /// </summary>
    public string? RemovedBy { get; set; }

    public DateTime CreatedAt { get; set; }
    public string? CreatedBy { get; set; }
    public DateTime UpdatedAt { get; set; }
    public DateTime? DeletedAt { get; set; }
}

/// <summary>A feature role an admin granted to a member (docs/SPEC.md §3.1).</summary>
public class MemberFeatureRole : IAuditable
{
    public Guid MembershipId { get; set; }
    public Auth.FeatureRole Role { get; set; }

    public DateTime CreatedAt { get; set; }
    public string? CreatedBy { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>A named trust title with the minimum score that earns it (docs/SPEC.md §4.5).</summary>
public class TrustLevel : IAuditable
{
    public const int NameMaxLength = 50;

    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid CommunityId { get; set; }
    public string Name { get; set; } = "";
    public int MinScore { get; set; }

    public DateTime CreatedAt { get; set; }
    public string? CreatedBy { get; set; }
    public DateTime UpdatedAt { get; set; }

    /// <summary>New 0, Stable 10, Trusted 50 — seeded into every new community, named in its creator's language.</summary>
    public static IEnumerable<TrustLevel> Defaults() =>
    [
        new() { Name = Resources.Text.Get("Level.New"), MinScore = 0 },
        new() { Name = Resources.Text.Get("Level.Stable"), MinScore = 10 },
        new() { Name = Resources.Text.Get("Level.Trusted"), MinScore = 50 },
    ];
}
