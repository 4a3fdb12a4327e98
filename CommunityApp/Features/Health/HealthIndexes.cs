using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using CommunityApp.Features.Forum;
using CommunityApp.Features.Needs;
using CommunityApp.Features.Trust;
using CommunityApp.Features.Wealth;

namespace CommunityApp.Features.Health;

/// <summary>
/// The indexes the dashboard's range queries read (docs/SPEC.md §13): each metric scans one community's rows of one period
/// by time, so each table it counts gets a (community, time) index; a need's first offer is found by (item, time).
/// Kept here, beside the queries that need them; the entities' own configurations stay in their features.
/// </summary>
internal sealed class HealthIndexes :
    IEntityTypeConfiguration<TrustHistoryEntry>, IEntityTypeConfiguration<Share>, IEntityTypeConfiguration<Need>, IEntityTypeConfiguration<ForumPost>
{
    public void Configure(EntityTypeBuilder<TrustHistoryEntry> entry) => entry.HasIndex(e => new { e.CommunityId, e.Action, e.CreatedAt });

    public void Configure(EntityTypeBuilder<Share> share)
    {
        share.HasIndex(s => new { s.CommunityId, s.CreatedAt });
        share.HasIndex(s => new { s.ItemId, s.CreatedAt });
    }

    public void Configure(EntityTypeBuilder<Need> need) => need.HasIndex(n => new { n.CommunityId, n.CreatedAt });

    public void Configure(EntityTypeBuilder<ForumPost> post) => post.HasIndex(p => new { p.CommunityId, p.CreatedAt });
}
