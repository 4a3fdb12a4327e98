using System.Collections.Concurrent;
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
