using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using CommunityApp.Data;
using CommunityApp.Events;
using CommunityApp.Features.Communities;
using CommunityApp.Features.Wealth;

namespace CommunityApp.Features.Needs;

/// <summary>How badly something is wanted (docs/SPEC.md §8). Stored as text; the names are fixed.</summary>
public enum NeedPriority
{
    Need = 0,
    Want = 1,
}

/// <summary>One-time, or replenished each period by <see cref="NeedRecurrenceJob"/>. Stored as text; the names are fixed.</summary>
public enum NeedRecurrence
{
    Once = 0,
    Daily = 1,
    Weekly = 2,
    Monthly = 3,
}

public enum NeedStatus
{
    Active = 0,
    Fulfilled = 1,
    Cancelled = 2,
    Expired = 3,
}

/// <summary>The needs of a community changed (one was published, edited, fulfilled, cancelled or replenished).</summary>
public sealed record NeedsChanged(Guid CommunityId) : AppEvent;

/// <summary>
/// Something a member needs or wants (docs/SPEC.md §8): a catalogue item or a title, units, a priority, once or each
/// period. A recurring need lives in periods: <see cref="PeriodStart"/> to <see cref="PeriodEnd"/>; when a period
/// ends the recurrence job starts the next one (a fulfilled need becomes active again).
/// <para>Council needs (docs/SPEC.md §6) add an optional <c>CouncilId</c> here: null is a member's own need.</para>
/// </summary>
public class Need : IAuditable
{
    public const int TitleMaxLength = 200;
    public const int DescriptionMaxLength = 2000;
    public const int MaxUnits = 100_000;
    /// <summary>A need is needed until at most this many days ahead.</summary>
    public const int MaxExpiryDays = 365;

    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid CommunityId { get; set; }
    public string OwnerId { get; set; } = "";
    public ApplicationUser Owner { get; set; } = null!;
    /// <summary>The council this need is published for (docs/SPEC.md §8: council managers publish council needs); null for a member's own.</summary>
    public Guid? CouncilId { get; set; }
    /// <summary>The catalogue item; null when the need is named by <see cref="Title"/> alone.</summary>
    public Guid? ItemId { get; set; }
    public Item? Item { get; set; }
    /// <summary>Required without an item; with one, an optional detail ("for the soup kitchen").</summary>
    public string? Title { get; set; }
    public string? Description { get; set; }
    public int Units { get; set; }
    public NeedPriority Priority { get; set; }
    public NeedRecurrence Recurrence { get; set; }
    public NeedStatus Status { get; set; }
    /// <summary>When the current period began (the publication for a one-time need).</summary>
    public DateTime PeriodStart { get; set; }
    /// <summary>When the current period ends; null for a one-time need.</summary>
    public DateTime? PeriodEnd { get; set; }
    public DateTime? FulfilledAt { get; set; }
    /// <summary>Until when it is needed (optional): an active need past it is expired by the needs job and is given nothing meanwhile; a recurring one stops recurring.</summary>
    public DateTime? ExpiresAt { get; set; }
    /// <summary>The owner's fulfilled share request that met this need, when they named one.</summary>
    public Guid? FulfilledByRequestId { get; set; }
    public DateTime CreatedAt { get; set; }
    public string? CreatedBy { get; set; }
    public DateTime UpdatedAt { get; set; }

    /// <summary>The end of the period that starts at <paramref name="start"/>; null for a one-time need.</summary>
    public static DateTime? EndOf(NeedRecurrence recurrence, DateTime start) => recurrence switch
    {
        NeedRecurrence.Daily => start.AddDays(1),
        NeedRecurrence.Weekly => start.AddDays(7),
        NeedRecurrence.Monthly => start.AddMonths(1),
        _ => null,
    };

    /// <summary>
    /// The period that contains <paramref name="now"/>, counted in whole periods from <paramref name="start"/>: an app
    /// that was down for three weeks starts this week's period once, not three periods in a row.
    /// </summary>
    public static (DateTime Start, DateTime End) PeriodAt(NeedRecurrence recurrence, DateTime start, DateTime now)
    {
        if (recurrence == NeedRecurrence.Once) throw new ArgumentException("A one-time need has no periods.", nameof(recurrence));
        var periods = recurrence switch
        {
            NeedRecurrence.Daily => (int)Math.Max(0, Math.Floor((now - start).TotalDays)),
            NeedRecurrence.Weekly => (int)Math.Max(0, Math.Floor((now - start).TotalDays / 7)),
            _ => Math.Max(0, (now.Year - start.Year) * 12 + now.Month - start.Month),
        };
        DateTime At(int k) => recurrence switch
        {
            NeedRecurrence.Daily => start.AddDays(k),
            NeedRecurrence.Weekly => start.AddDays(7 * k),
            _ => start.AddMonths(k),
        };
        while (periods > 0 && At(periods) > now) periods--;
        while (At(periods + 1) <= now) periods++;
        return (At(periods), At(periods + 1));
    }
}

internal sealed class NeedConfiguration : IEntityTypeConfiguration<Need>
{
    public void Configure(EntityTypeBuilder<Need> need)
    {
        need.ToTable("needs");
        need.Property(n => n.Title).HasMaxLength(Need.TitleMaxLength);
        need.Property(n => n.Description).HasMaxLength(Need.DescriptionMaxLength);
        need.Property(n => n.Priority).HasConversion<string>().HasMaxLength(10);
        need.Property(n => n.Recurrence).HasConversion<string>().HasMaxLength(10);
        need.Property(n => n.Status).HasConversion<string>().HasMaxLength(10);
        need.Property(n => n.CreatedBy).HasMaxLength(450);
        need.HasOne<Community>().WithMany().HasForeignKey(n => n.CommunityId).OnDelete(DeleteBehavior.Cascade);
        need.HasOne(n => n.Owner).WithMany().HasForeignKey(n => n.OwnerId).OnDelete(DeleteBehavior.Restrict);
        need.HasOne(n => n.Item).WithMany().HasForeignKey(n => n.ItemId).OnDelete(DeleteBehavior.Restrict);
        need.HasOne<Councils.Council>().WithMany().HasForeignKey(n => n.CouncilId).OnDelete(DeleteBehavior.Restrict);
        need.HasIndex(n => new { n.CouncilId, n.Status });
        need.HasOne<ShareRequest>().WithMany().HasForeignKey(n => n.FulfilledByRequestId).OnDelete(DeleteBehavior.SetNull);
        // The community view groups a community's active needs; a new share finds the active needs for its item;
        // "my needs" lists one owner's; the recurrence job finds the periods that ended.
        need.HasIndex(n => new { n.CommunityId, n.Status, n.Priority });
        need.HasIndex(n => new { n.ItemId, n.Status });
        need.HasIndex(n => new { n.OwnerId, n.CommunityId, n.CreatedAt });
        need.HasIndex(n => n.PeriodEnd).HasFilter("period_end IS NOT NULL");
        // The needs job finds the needs whose "needed until" has passed.
        need.HasIndex(n => n.ExpiresAt).HasFilter("expires_at IS NOT NULL");
        need.HasIndex(n => n.FulfilledByRequestId);
        need.ToTable(t =>
        {
            t.HasCheckConstraint("ck_needs_units", $"units >= 1 AND units <= {Need.MaxUnits}");
            t.HasCheckConstraint("ck_needs_named", "item_id IS NOT NULL OR title IS NOT NULL");
        });
    }
}
