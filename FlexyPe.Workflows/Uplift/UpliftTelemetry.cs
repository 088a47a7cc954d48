using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace FlexyPe.Workflows.Uplift;

/// <summary>Spans and metrics of the holdout and the uplift model ("FlexyPe.Workflows.Uplift"). Stores and counts only; no shopper data.</summary>
public static class UpliftTelemetry
{
    public const string Name = "FlexyPe.Workflows.Uplift";

    public static readonly ActivitySource Source = new(Name);
    private static readonly Meter Meter = new(Name);

    public static readonly Counter<long> Decisions = Meter.CreateCounter<long>(
        "workflows.uplift.decisions", description: "Discount decisions, by source (model, rule, exploration) and whether the discount was offered");
    public static readonly Histogram<double> TrainingSeconds = Meter.CreateHistogram<double>(
        "workflows.uplift.training", unit: "s", description: "How long training a store's uplift model took");
}
