using Xunit.Sdk;
using Xunit.v3;

[assembly: TestCollectionOrderer(typeof(CommunityApp.Tests.Infrastructure.LongestFirstOrderer))]

namespace CommunityApp.Tests.Infrastructure;

/// <summary>
/// Starts the long test classes first. Three classes run at a time (xunit.runner.json) and the classes of a run take from
/// under a second to a minute; xUnit's default order is random, so a one-minute browser journey that happened to start
/// last ran alone at the end while a core idled (runs of the same suite took 267 s and 294 s). Longest first, the short
/// service classes fill the gaps at the end. The order: the browser journeys (a known long one first), then the classes
/// that start app processes or seed whole databases, then the rest; by name within each group, so runs are repeatable.
/// </summary>
public sealed class LongestFirstOrderer : ITestCollectionOrderer
{
    /// <summary>Measured on the 2-core machine (seconds of one class): the few that take far longer than the rest of their group.</summary>
    private static readonly Dictionary<string, int> Known = new(StringComparer.Ordinal)
    {
        ["Browser.InterfaceTests"] = 68,
        ["Browser.FormFuzzTests"] = 56,
        ["Browser.GovernanceTests"] = 37,
        ["Browser.WealthTests"] = 35,
        ["Browser.FirstTenMinutesTests"] = 34,
        ["Browser.PoolTests"] = 32,
        ["Browser.NotificationCentreTests"] = 53,
        ["Features.Demo.DemoSeedTests"] = 31,
        ["Http.StartupTests"] = 29,
    };

    public IReadOnlyCollection<TTestCollection> OrderTestCollections<TTestCollection>(IReadOnlyCollection<TTestCollection> testCollections)
        where TTestCollection : ITestCollection =>
        [.. testCollections.OrderBy(Group).ThenByDescending(c => Known.GetValueOrDefault(Name(c))).ThenBy(Name, StringComparer.Ordinal)];

    /// <summary>The class (or collection) name after "CommunityApp.Tests.", from "Test collection for CommunityApp.Tests.X.Y (id: …)".</summary>
    private static string Name<TTestCollection>(TTestCollection collection) where TTestCollection : ITestCollection
    {
        var name = collection.TestCollectionDisplayName;
        var start = name.IndexOf("CommunityApp.Tests.", StringComparison.Ordinal);
        if (start >= 0) name = name[(start + "CommunityApp.Tests.".Length)..];
        var end = name.IndexOf(" (", StringComparison.Ordinal);
        return end >= 0 ? name[..end] : name;
    }

    private static int Group<TTestCollection>(TTestCollection collection) where TTestCollection : ITestCollection
    {
        var name = Name(collection);
        if (name.StartsWith("Browser.", StringComparison.Ordinal)) return 0;
        if (Known.ContainsKey(name) || name.StartsWith("Http.", StringComparison.Ordinal) || name.StartsWith("Data.", StringComparison.Ordinal)) return 1;
        return 2;
    }
}
