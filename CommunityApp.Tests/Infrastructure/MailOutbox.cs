using System.Collections.Concurrent;
using Microsoft.AspNetCore.Components;
using CommunityApp.Auth;

namespace CommunityApp.Tests.Infrastructure;

/// <summary>The service tests' mail sender: keeps every mail so a test can assert who was mailed what.</summary>
public sealed class MailOutbox : IMailSender
{
    public ConcurrentQueue<OutgoingMail> Sent { get; } = new();

    /// <summary>While set, every send fails with this exception, as an unreachable SMTP server would.</summary>
    public Exception? Failure { get; set; }

    public Task SendAsync(OutgoingMail mail, CancellationToken ct = default)
    {
        if (Failure is not null) throw Failure;
        Sent.Enqueue(mail);
        return Task.CompletedTask;
    }

    public IReadOnlyList<OutgoingMail> To(string email) => Sent.Where(m => m.To == email).ToList();
}

/// <summary>Links written by services outside a Blazor circuit (the invite mail) resolve against this base.</summary>
public sealed class TestNavigationManager : NavigationManager
{
    public const string BaseUrl = "http://app.test/";

    public TestNavigationManager() => Initialize(BaseUrl, BaseUrl);
}
