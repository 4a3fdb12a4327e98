using MudBlazor;
using MudBlazor.Services;

namespace CommunityApp.Components;

/// <summary>MudBlazor's services, with what each circuit costs kept down (docs/ARCHITECTURE.md, "Circuits").</summary>
public static class MudSetup
{
    /// <summary>
    /// MudBlazor's popover service runs one periodic timer per circuit (from the first popover a page opens: a select, a
    /// menu; the bell opens none) that detaches closed popovers from the browser in batches; its default period, 0.5 s, wakes
    /// every such circuit twice a second. Detaching a closed popover a few seconds later changes nothing a reader sees.
    /// </summary>
    public static readonly TimeSpan PopoverQueueDelay = TimeSpan.FromSeconds(5);

    public static IServiceCollection AddAppMudServices(this IServiceCollection services) =>
        services.AddMudServices(mud => mud.PopoverOptions.QueueDelay = PopoverQueueDelay);
}
