using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Query;

namespace CommunityApp.Data;

/// <summary>
/// Bulk writes keep the audit columns as tracked saves do: <see cref="AuditInterceptor"/> stamps <c>updated_at</c> on
/// <c>SaveChanges</c>, but <c>ExecuteUpdate</c> goes straight to the database, so every <c>ExecuteUpdate</c> on an
/// <see cref="IAuditable"/> entity goes through <see cref="ExecuteUpdateStampedAsync"/>.
/// </summary>
public static class BulkWrites
{
    /// <summary><c>ExecuteUpdateAsync</c> that also sets <c>updated_at</c> to <paramref name="now"/> on every row it changes.</summary>
    public static Task<int> ExecuteUpdateStampedAsync<T>(this IQueryable<T> rows, DateTime now, Action<UpdateSettersBuilder<T>> set, CancellationToken ct = default)
        where T : class, IAuditable =>
        rows.ExecuteUpdateAsync(s =>
        {
            set(s);
            s.SetProperty(e => e.UpdatedAt, now);
        }, ct);
}
