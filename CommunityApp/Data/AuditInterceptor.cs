using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace CommunityApp.Data;

/// <summary>
/// Fills the audit columns on every save, so no service sets them by hand (bulk <c>ExecuteUpdate</c> writes stamp
/// <c>updated_at</c> through <see cref="BulkWrites"/>). The acting user comes
/// from <see cref="AppDbContext.ActorId"/>, which services set when they open a context.
/// </summary>
public sealed class AuditInterceptor(TimeProvider clock) : SaveChangesInterceptor
{
    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Stamp(eventData.Context);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(
        DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Stamp(eventData.Context);
        return ValueTask.FromResult(result);
    }

    private void Stamp(DbContext? context)
    {
        if (context is null) return;
        var now = clock.GetUtcNow().UtcDateTime;
        var actor = (context as AppDbContext)?.ActorId;
        foreach (var entry in context.ChangeTracker.Entries<IAuditable>())
        {
            switch (entry.State)
            {
                case EntityState.Added:
                    entry.Entity.CreatedAt = now;
                    entry.Entity.UpdatedAt = now;
                    entry.Entity.CreatedBy ??= actor;
                    break;
                case EntityState.Modified:
                    entry.Entity.UpdatedAt = now;
                    entry.Property(e => e.CreatedAt).IsModified = false;
                    entry.Property(e => e.CreatedBy).IsModified = false;
                    break;
            }
        }
        // A community's settings and levels are cached for permission checks: a save that touches them drops the entry.
        foreach (var entry in context.ChangeTracker.Entries<Features.Communities.Community>().Where(e => e.State is not EntityState.Unchanged))
        {
            Features.Communities.CommunityCache.Invalidate(entry.Entity.Id);
        }
        foreach (var entry in context.ChangeTracker.Entries<Features.Communities.TrustLevel>().Where(e => e.State is not EntityState.Unchanged))
        {
            Features.Communities.CommunityCache.Invalidate(entry.Entity.CommunityId);
        }
        foreach (var entry in context.ChangeTracker.Entries<ICreatedAt>())
        {
            if (entry.State == EntityState.Added && entry.Entity.CreatedAt == default) entry.Entity.CreatedAt = now;
        }
    }
}
