using Bunit;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MudBlazor.Services;
using CommunityApp.Features.Communities;

namespace CommunityApp.Tests.Components;

/// <summary>A section that throws while rendering shows a plain message with a retry, logs why, and recovers on retry.</summary>
public sealed class SectionErrorTests : IAsyncDisposable
{
    private readonly BunitContext context = new();
    private readonly List<Exception> logged = [];

    public SectionErrorTests()
    {
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        context.Services.AddMudServices();
        context.Services.AddLocalization();
        context.Services.AddSingleton<IErrorBoundaryLogger>(new RecordingBoundaryLogger(logged));
    }

    public ValueTask DisposeAsync() => context.DisposeAsync();

    [Fact]
    public void A_failing_section_shows_a_plain_message_logs_the_exception_and_the_retry_renders_it_again()
    {
        var failing = true;
        var home = new CommunityHome(Guid.NewGuid(), "Riverside", null, 3, MemberRole.Member, DateTime.UtcNow, 0, null);

        var frame = context.Render<CommunityPageFrame>(p => p
            .Add(x => x.Home, home)
            .Add(x => x.Section, "Community.Members")
            .AddChildContent<Boom>(b => b.Add(x => x.Fail, () => failing)));

        frame.Find("[data-testid=section-error]").TextContent.ShouldContain("This part of the page failed to load. It has been logged.");
        frame.Markup.ShouldNotContain("The section broke.");
        frame.Find("h1").TextContent.ShouldBe("Riverside", "the rest of the page stays");
        logged.ShouldHaveSingleItem().Message.ShouldBe("The section broke.");

        failing = false;
        frame.FindAll("button").Single(b => b.TextContent.Trim() == "Try again").Click();

        frame.WaitForAssertion(() => frame.Find("#section-content").TextContent.ShouldBe("Section content"));
        frame.FindAll("[data-testid=section-error]").ShouldBeEmpty();
    }

    private sealed class RecordingBoundaryLogger(List<Exception> logged) : IErrorBoundaryLogger
    {
        public ValueTask LogErrorAsync(Exception exception)
        {
            logged.Add(exception);
            return ValueTask.CompletedTask;
        }
    }
}
