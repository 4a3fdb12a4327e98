using System.Globalization;
using System.Reflection;
using Xunit.v3;

[assembly: CommunityApp.Tests.Infrastructure.EnglishCulture]

namespace CommunityApp.Tests.Infrastructure;

/// <summary>
/// Every test runs in English whatever the machine's language, so asserted texts ("You need 15 trust …") and formatted
/// numbers do not depend on where the suite runs. A test about Spanish sets the culture itself; the next test starts in
/// English again.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly)]
public sealed class EnglishCultureAttribute : BeforeAfterTestAttribute
{
    private static readonly CultureInfo English = CultureInfo.GetCultureInfo("en");

    // One instance serves every test, in parallel: it keeps no state. The culture flows with the test's async context.
    public override void Before(MethodInfo methodUnderTest, IXunitTest test) =>
        CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = English;
}
