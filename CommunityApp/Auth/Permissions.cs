namespace CommunityApp.Auth;

/// <summary>Named capabilities gated by trust (docs/SPEC.md §3.3). Values are fixed: they are stored.</summary>
public enum Permission
{
    AwardTrust = 1,
    RequestWealth = 2,
    PublishNeeds = 3,
    CreatePolls = 4,
    HandleDisputes = 5,
    CreatePools = 6,
    CreateCouncils = 7,
    ManageItems = 8,
    ViewHealthAnalytics = 9,
    CreateThreads = 10,
    FlagContent = 11,
    ReviewFlags = 12,
    ModerateForum = 13,
    UseCheckoutLinks = 14,
    EndorseSkills = 15,
    GrantRecognition = 16,
}

/// <summary>Roles an admin grants to a member, each granting one permission regardless of trust (docs/SPEC.md §3.1).</summary>
public enum FeatureRole
{
    TrustGranter = 1,
    WealthPublisher = 2,
    PollCreator = 3,
    DisputeHandler = 4,
    PoolCreator = 5,
    CouncilCreator = 6,
    ForumManager = 7,
    ThreadCreator = 8,
    ContentFlagger = 9,
    FlagReviewer = 10,
    ItemManager = 11,
    AnalyticsViewer = 12,
    NeedsPublisher = 13,
    SkillEndorser = 14,
}

/// <summary>
/// One row of docs/SPEC.md §3.3: a permission, the setting that holds its threshold, its default, and the role that grants it
/// (null when docs/SPEC.md §3.1 names none: only admins, allow-lists and trust grant it).
/// </summary>
public sealed record PermissionDefinition(Permission Permission, string SettingName, int DefaultThreshold, FeatureRole? GrantedByRole);

public static class PermissionCatalog
{
    public static readonly IReadOnlyList<PermissionDefinition> All =
    [
        new(Permission.AwardTrust, "minTrustToAwardTrust", 15, FeatureRole.TrustGranter),
        new(Permission.RequestWealth, "minTrustForWealth", 10, FeatureRole.WealthPublisher),
        new(Permission.PublishNeeds, "minTrustForNeeds", 5, FeatureRole.NeedsPublisher),
        new(Permission.CreatePolls, "minTrustForPolls", 15, FeatureRole.PollCreator),
        new(Permission.HandleDisputes, "minTrustForDisputes", 20, FeatureRole.DisputeHandler),
        new(Permission.CreatePools, "minTrustForPoolCreation", 20, FeatureRole.PoolCreator),
        new(Permission.CreateCouncils, "minTrustForCouncilCreation", 25, FeatureRole.CouncilCreator),
        new(Permission.ManageItems, "minTrustForItemManagement", 20, FeatureRole.ItemManager),
        new(Permission.ViewHealthAnalytics, "minTrustForHealthAnalytics", 20, FeatureRole.AnalyticsViewer),
        new(Permission.CreateThreads, "minTrustForThreadCreation", 10, FeatureRole.ThreadCreator),
        new(Permission.FlagContent, "minTrustForFlagging", 15, FeatureRole.ContentFlagger),
        new(Permission.ReviewFlags, "minTrustForFlagReview", 30, FeatureRole.FlagReviewer),
        new(Permission.ModerateForum, "minTrustForForumModeration", 30, FeatureRole.ForumManager),
        new(Permission.UseCheckoutLinks, "minTrustForCheckoutLinks", 5, null),
        new(Permission.EndorseSkills, "minTrustForSkillEndorsement", 10, FeatureRole.SkillEndorser),
        new(Permission.GrantRecognition, "minTrustForRecognition", 10, null),
    ];

    public static PermissionDefinition Get(Permission permission) => All[(int)permission - 1];

    /// <summary>Feature roles grouped by area, for the admin's checkboxes.</summary>
    public static readonly IReadOnlyList<(string Area, FeatureRole[] Roles)> RoleAreas =
    [
        ("Trust", [FeatureRole.TrustGranter, FeatureRole.SkillEndorser]),
        ("Wealth", [FeatureRole.WealthPublisher, FeatureRole.ItemManager, FeatureRole.NeedsPublisher]),
        ("Governance", [FeatureRole.PollCreator, FeatureRole.DisputeHandler, FeatureRole.CouncilCreator, FeatureRole.PoolCreator]),
        ("Forum", [FeatureRole.ThreadCreator, FeatureRole.ContentFlagger, FeatureRole.FlagReviewer, FeatureRole.ForumManager]),
        ("Analytics", [FeatureRole.AnalyticsViewer]),
    ];
}
