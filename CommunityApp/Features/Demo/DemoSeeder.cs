using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using CommunityApp.Data;
using CommunityApp.Features.Communities;

namespace CommunityApp.Features.Demo;

/// <summary>
/// Development only: a small demo community so a newcomer sees real content at once.
/// The sign-in details are in the README. Runs once: it stops if the demo admin exists.
/// </summary>
public static class DemoSeeder
{
    public const string Password = "Demo-pass-1";
    public const string CommunityName = "Riverside Commons";

    public static readonly (string UserName, string DisplayName, string Bio)[] Users =
    [
        ("ana", "Ana Torres", "Keeps the tool library running."),
        ("ben", "Ben Okafor", "Gardener; shares seedlings every spring."),
        ("carla", "Carla Nilsen", "New in the neighbourhood."),
    ];

    public static async Task SeedDemoAsync(this WebApplication app)
    {
        if (!app.Configuration.GetValue<bool>("Demo:Seed")) return;

        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        if (await users.FindByNameAsync(Users[0].UserName) is not null) return;

        var created = new List<ApplicationUser>();
        foreach (var (userName, displayName, bio) in Users)
        {
            var user = new ApplicationUser { UserName = userName, Email = $"{userName}@example.com", EmailConfirmed = true, DisplayName = displayName, Bio = bio };
            var result = await users.CreateAsync(user, Password);
            if (!result.Succeeded) throw new InvalidOperationException("Demo seed failed: " + string.Join(" ", result.Errors.Select(e => e.Description)));
            created.Add(user);
        }

        var communities = scope.ServiceProvider.GetRequiredService<CommunityService>();
        var communityId = await communities.CreateAsync(created[0].Id,
            new CommunityInput(CommunityName, "A neighbourhood that shares tools, food and time. Ask before you buy!"));

        // Membership normally comes through invites; the seed adds the other demo users directly.
        var dbFactory = scope.ServiceProvider.GetRequiredService<IDbContextFactory<AppDbContext>>();
        await using var db = await dbFactory.CreateDbContextAsync();
        db.ActorId = created[0].Id;
        db.Memberships.AddRange(created.Skip(1).Select(u => new Membership { CommunityId = communityId, UserId = u.Id, Role = MemberRole.Member }));
        await db.SaveChangesAsync();
        app.Logger.LogInformation("Seeded the demo community '{Community}' with users {Users} (password {Password})",
            CommunityName, string.Join(", ", Users.Select(u => u.UserName)), Password);
    }
}
