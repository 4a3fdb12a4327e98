using Microsoft.EntityFrameworkCore;
using CommunityApp.Features.Communities;
using CommunityApp.Features.Profile;
using CommunityApp.Tests.Infrastructure;

namespace CommunityApp.Tests.Data;

/// <summary>The embedded default must stay honest: the SQLite migrations apply and the main paths work on them.</summary>
public sealed class SqliteSmokeTests(SqliteServiceFixture fixture) : IClassFixture<SqliteServiceFixture>
{
    [Fact]
    public async Task Communities_work_on_SQLite()
    {
        var service = fixture.Get<CommunityService>();
        var admin = await fixture.CreateUserAsync();
        var outsider = await fixture.CreateUserAsync();

        var id = await service.CreateAsync(admin, new CommunityInput("On SQLite", "Embedded"));
        await service.UpdateAsync(admin, id, new CommunityInput("Still SQLite", "Embedded"));

        var home = await service.GetHomeAsync(admin, id);
        home.Name.ShouldBe("Still SQLite");
        home.MemberCount.ShouldBe(1);
        home.CreatedAt.Kind.ShouldBe(DateTimeKind.Utc);
        (await service.ListMineAsync(admin)).Items.ShouldHaveSingleItem().Role.ShouldBe(MemberRole.Admin);
        await Should.ThrowAsync<ForbiddenException>(() => service.GetHomeAsync(outsider, id));

        await service.DeleteAsync(admin, id);
        (await service.ListMineAsync(admin)).Total.ShouldBe(0);
        await using var db = await fixture.NewContextAsync();
        (await db.Communities.IgnoreQueryFilters().CountAsync()).ShouldBe(1);
        (await db.TrustLevels.CountAsync()).ShouldBe(3);
    }

    [Fact]
    public async Task Profiles_work_on_SQLite()
    {
        var service = fixture.Get<ProfileService>();
        var id = await fixture.CreateUserAsync();

        await service.UpdateAsync(id, new ProfileInput("Sam", "sam_sqlite", "Hi"));

        (await service.GetAsync(id)).UserName.ShouldBe("sam_sqlite");
    }
}
