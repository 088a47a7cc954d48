using System.Diagnostics.Metrics;

namespace FlexyPe.Notifier.Clicks;

/// <summary>Clicks on tracked links, under the "FlexyPe.Notifier" meter; by outcome only (no URL, no address).</summary>
public sealed class ClickTelemetry
{
    private readonly Counter<long> clicks;

    public ClickTelemetry(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create("FlexyPe.Notifier");
        clicks = meter.CreateCounter<long>("flexype.notifier.clicks", "{click}",
            "Requests to /c/{token} by outcome: redirected, invalid_token, unknown_link.");
    }

    public void Count(string outcome) => clicks.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
}
