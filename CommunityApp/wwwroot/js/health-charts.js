// The health dashboard's charts (Features/Health/HealthChartView.razor). MudBlazor writes the same <filter id="lighten"> into
// every chart, and an id must be unique in a document (axe: duplicate-id). Every copy after the first gets an id of its own;
// the first keeps "lighten", so MudBlazor's hover style (filter: url(#lighten)) still finds it.
export function uniqueFilterIds() {
    document.querySelectorAll('filter#lighten').forEach((filter, index) => {
        if (index > 0) filter.id = `lighten-${index}`;
    });
}
