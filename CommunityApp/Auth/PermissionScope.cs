namespace CommunityApp.Auth;

/// <summary>
/// Where a permission check applies (docs/SPEC.md §3.3, "Scopes"): the community, and later a council or a pool,
/// whose managers hold powers in that scope only. Every scope belongs to one community; the member's standing
/// in that community decides, and the scope adds what its managers may do.
/// </summary>
public abstract record PermissionScope(Guid CommunityId)
{
    public static PermissionScope Community(Guid communityId) => new CommunityScope(communityId);

    public static PermissionScope Council(Guid communityId, Guid councilId) => new CouncilScope(communityId, councilId);
}

/// <summary>The whole community: admins, feature roles, allow-lists and trust decide.</summary>
public sealed record CommunityScope(Guid CommunityId) : PermissionScope(CommunityId);

/// <summary>
/// One council of the community: on top of everything the community scope grants, the council's managers hold the
/// permissions a council acts on (publishing its needs, creating its pools and polls) in this scope only.
/// </summary>
public sealed record CouncilScope(Guid CommunityId, Guid CouncilId) : PermissionScope(CommunityId);
