using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Identity;
using CommunityApp.Auth;
using CommunityApp.Data;
using CommunityApp.Features.Communities;

namespace CommunityApp.Features.Demo;

/// <summary>One person of the demo: the account, and when (if at all) they joined Riverside Commons.</summary>
/// <param name="JoinedDaysAgo">Days before the seed's "now" that they joined; null: invited, not yet a member.</param>
public sealed record DemoPerson(string UserName, string DisplayName, string Bio, MemberRole Role, int? JoinedDaysAgo);

/// <summary>What one run of the seed did.</summary>
public sealed record DemoSeedResult(bool Changed, Guid? CommunityId, TimeSpan Elapsed);

/// <summary>
/// Development only: Riverside Commons, a community that looks lived in, so a newcomer's first visit shows the product
/// working (issue 9 §8). Every row is written through the app's own services (invites, trust awards, shares and
/// their request moves, the expiry job), under a clock the seed moves along a fixed story of the last two months,
/// so scores, notifications, history and audit entries are exactly what the app itself would have written.
/// <para>
/// Deterministic: the same people, awards, shares and messages on every fresh start; times are relative to the
/// app's clock. Idempotent: each step looks for its own data first and writes nothing when it is there, so a restart
/// never duplicates, and a database seeded by an older version gets the steps added since.
/// </para>
/// <para>
/// One step per feature, in story order (<see cref="Steps"/>). A feature that brings demo data adds its step file
/// here and one line to the list; a step reads what earlier steps made through <see cref="DemoStory"/>.
/// </para>
/// </summary>
public static class DemoSeeder
{
    public const string Password = "Demo-pass-1";
    public const string CommunityName = "Riverside Commons";
    public const string CommunityDescription = "A neighbourhood that shares tools, food and time. Ask before you buy!";

    /// <summary>The cast. ana, ben and carla are the README's demo users; everyone signs in with <see cref="Password"/>.</summary>
    public static readonly IReadOnlyList<DemoPerson> People =
    [
        new("ana", "Ana Torres", "Keeps the tool library running.", MemberRole.Admin, 365),
        new("ben", "Ben Okafor", "Gardener; shares seedlings every spring.", MemberRole.Member, 330),
        new("carla", "Carla Nilsen", "New in the neighbourhood.", MemberRole.Member, 15),
        new("dmitri", "Dmitri Volkov", "Fixes bikes in the courtyard on Saturdays.", MemberRole.Member, 300),
        new("elif", "Elif Yılmaz", "Bakes too much and makes jam from whatever is in season.", MemberRole.Member, 240),
        new("gus", "Gus Lindqvist", "Carpenter with a shed full of tools.", MemberRole.Member, 200),
        new("jo", "Jo Brennan", "Retired teacher; helps run the community.", MemberRole.Member, 270),
        new("kwame", "Kwame Mensah", "Electrician. Happy to check your wiring.", MemberRole.Member, 57),
        new("farah", "Farah Haddad", "Two kids, one cat, always up for a swap.", MemberRole.Member, 57),
        new("hana", "Hana Sato", "Teaches Japanese; learning to garden.", MemberRole.Member, 56),
        new("ivan", "Iván Morales", "Has a van and knows the way to the recycling centre.", MemberRole.Member, 57),
        new("lena", "Lena Fischer", "Looks after the old orchard behind the school.", MemberRole.Member, 56),
        new("mateo", "Mateo Rossi", "Maths student, tutors on weekends.", MemberRole.Member, 52),
        new("nora", "Nora Quinn", "Just moved in on Mill Lane.", MemberRole.Member, 4),
        new("olga", "Olga Petrova", "Invited by Ana; has not joined yet.", MemberRole.Member, null),
    ];

    /// <summary>The steps, one per feature, in story order. Add a feature's step here.</summary>
    internal static readonly IReadOnlyList<IDemoStep> Steps =
    [
        new PeopleDemo(),
        new TrustDemo(),
        new WealthDemo(),
        new SkillsRecognitionDemo(),
        new CouncilsDemo(),
        new InitiativesDemo(),
        new NeedsDemo(),
        new PoolsDemo(),
        new CheckoutDemo(),
        new PollsDemo(),
        new ForumDemo(),
        new DisputesDemo(),
        new InboxDemo(),
        new ModerationDemo(),
        new HealthDemo(),
    ];

    /// <summary>Seeds when <c>Demo:Seed</c> is on (Development by default) and logs how long it took.</summary>
    public static async Task SeedDemoAsync(this WebApplication app)
    {
        if (!app.Configuration.GetValue<bool>("Demo:Seed")) return;
        var provider = app.Services.GetRequiredService<DatabaseOptions>().Provider;
        var connectionString = app.Configuration.GetConnectionString(DataSetup.ConnectionName(provider))!;
        DemoSeedResult result;
        try
        {
            result = await RunAsync(provider, connectionString, app.Services.GetRequiredService<TimeProvider>(), app.Lifetime.ApplicationStopping);
        }
        catch (DemoSeedException ex)
        {
            // A half-seeded demo is no reason to keep the app from starting.
            app.Logger.LogError(ex.InnerException, "{Message}", ex.Message);
            return;
        }
        if (result.Changed)
        {
            app.Logger.LogInformation("Seeded the demo community '{Community}' in {Seconds:0.0} s; sign in as {Users} (password {Password})",
                CommunityName, result.Elapsed.TotalSeconds, string.Join(", ", People.Where(p => p.JoinedDaysAgo is not null).Select(p => p.UserName)), Password);
        }
    }

    /// <summary>
    /// Runs every step against the database. The services run in a service provider of their own whose clock
    /// (<see cref="DemoClock"/>) the steps move, so what they write carries the story's times.
    /// </summary>
    public static async Task<DemoSeedResult> RunAsync(DatabaseProvider provider, string connectionString, TimeProvider clock, CancellationToken ct = default)
    {
        var watch = Stopwatch.StartNew();
        // The seed's text (level names, the starter catalogue) is English whatever the machine's language.
        CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("en");
        var demoClock = new DemoClock(clock.GetUtcNow());
        await using var services = new ServiceCollection()
            .AddLogging()
            .Configure<IdentityOptions>(IdentityModel.UseSchemaVersion)
            .AddSingleton<ILookupNormalizer, UpperInvariantLookupNormalizer>()
            .AddSingleton<TimeProvider>(demoClock)
            // The story invites people but mails nobody.
            .AddSingleton<IMailSender, DisabledMailSender>()
            .AddAppDatabase(provider, connectionString)
            .AddFeatures()
            .BuildServiceProvider();
        await using var scope = services.CreateAsyncScope();
        var story = new DemoStory(scope.ServiceProvider, demoClock);
        var changed = false;
        foreach (var step in Steps)
        {
            if (story.Stopped) break;
            try
            {
                changed |= await step.RunAsync(story, changed, ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                throw new DemoSeedException($"The demo seed stopped in {step.GetType().Name}: {ex.Message}", ex);
            }
        }
        return new DemoSeedResult(changed, story.CommunityIdOrNull, watch.Elapsed);
    }
}

/// <summary>A step of the demo seed failed; the message names the step.</summary>
public sealed class DemoSeedException(string message, Exception inner) : Exception(message, inner);

/// <summary>One feature's part of the demo.</summary>
internal interface IDemoStep
{
    /// <summary>Writes the step's data unless it is already there; true when it wrote something.</summary>
    /// <param name="earlierChanged">Whether an earlier step of this run wrote something.</param>
    Task<bool> RunAsync(DemoStory story, bool earlierChanged, CancellationToken ct);
}

/// <summary>The seed's clock: the steps set it to moments of the story, all before the real "now" it started from.</summary>
public sealed class DemoClock(DateTimeOffset now) : TimeProvider
{
    private DateTimeOffset current = now;

    /// <summary>The real time the seed started at; the story ends here.</summary>
    public DateTimeOffset Now { get; } = now;

    public override DateTimeOffset GetUtcNow() => current;

    /// <summary>A moment of the story: midnight (UTC) of the day <paramref name="daysAgo"/> days before now, plus the hour; negative days are ahead.</summary>
    public DateTime Day(int daysAgo, int hour = 12, int minute = 0) =>
        Now.UtcDateTime.Date.AddDays(-daysAgo).AddHours(hour).AddMinutes(minute);

    /// <summary>Moves the clock to a moment of the story; the story never runs ahead of the real now.</summary>
    public void Set(DateTime at)
    {
        var moment = new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc));
        if (moment > Now) throw new InvalidOperationException($"The demo story reached {moment:u}, after now ({Now:u}).");
        current = moment;
    }
}
