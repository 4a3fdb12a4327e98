using System.Runtime.CompilerServices;

namespace CommunityApp.Tests.Infrastructure;

/// <summary>
/// bUnit's synchronous waits hold a thread-pool thread each while three test classes run at once on two cores; with the
/// default minimum the pool grows too slowly and a renderer's dispatcher can starve past its wait timeout.
/// </summary>
internal static class ThreadPoolSetup
{
    [ModuleInitializer]
    internal static void RaiseMinThreads()
    {
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, Environment.ProcessorCount * 8), io);
    }
}
