using Microsoft.AspNetCore.Identity;

namespace CommunityApp.Data;

/// <summary>
/// A person who can sign in (docs/SPEC.md §1). The id is text and always the app's own; a user of an identity provider
/// is found through its external login (provider + <c>sub</c>), never by id (users created before that kept their <c>sub</c> as id). <see cref="IdentityUser.UserName"/> is the unique username.
/// </summary>
public class ApplicationUser : IdentityUser, IAuditable
{
    public ApplicationUser() { }

    public ApplicationUser(string id) => Id = id;

    [PersonalData] public string DisplayName { get; set; } = "";
    [PersonalData] public string? Bio { get; set; }
    public string? AvatarUrl { get; set; }
    public DateTime CreatedAt { get; set; }
    public string? CreatedBy { get; set; }
    public DateTime UpdatedAt { get; set; }
    public DateTime? LastSeenAt { get; set; }
}
