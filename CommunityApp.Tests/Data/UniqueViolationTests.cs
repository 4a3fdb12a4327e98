using Microsoft.EntityFrameworkCore;
using CommunityApp.Data;
using CommunityApp.Features.Communities;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Data;

/// <summary>
/// "Someone did this first" is read from a unique index only (docs/ARCHITECTURE.md, "Database"): a check constraint or a
/// foreign key broken by a bug must surface as the bug it is, not as "already trusted" or "just joined".
/// </summary>
public abstract class UniqueViolationTests(ServiceFixture fixture)
{
    [Fact]
    public async Task A_duplicate_live_membership_is_a_unique_violation_and_a_broken_check_or_foreign_key_is_not()
    {
        var (communityId, admin) = await fixture.CreateCommunityAsync();

        var duplicate = await SaveFailureAsync(new Membership { CommunityId = communityId, UserId = admin });
        var negative = await SaveFailureAsync(new Membership { CommunityId = communityId, UserId = await fixture.CreateUserAsync(), TrustScore = -1 });
        var nobody = await SaveFailureAsync(new Membership { CommunityId = communityId, UserId = "no-such-user" });

        DatabaseFailures.IsUniqueViolation(duplicate).ShouldBeTrue();
        DatabaseFailures.IsUniqueViolation(negative).ShouldBeFalse();
        DatabaseFailures.IsUniqueViolation(nobody).ShouldBeFalse();
        DatabaseFailures.IsUniqueViolation(new InvalidOperationException("not a database failure")).ShouldBeFalse();
    }

    private async Task<DbUpdateException> SaveFailureAsync(Membership membership)
    {
        await using var db = await fixture.NewContextAsync();
        db.Memberships.Add(membership);
        return await Should.ThrowAsync<DbUpdateException>(() => db.SaveChangesAsync());
    }
}

public sealed class PostgresUniqueViolationTests(ServiceFixture fixture) : UniqueViolationTests(fixture), IClassFixture<ServiceFixture>;

public sealed class SqliteUniqueViolationTests(SqliteServiceFixture fixture) : UniqueViolationTests(fixture), IClassFixture<SqliteServiceFixture>;
