using System.Diagnostics.Metrics;

namespace FlexyPe.Outbox;

/// <summary>
/// Counts a worker's polls by whether they found work (tag <c>found</c>: true or false). A poll that finds nothing is
/// counted here and leaves no trace; one that finds work is traced through the work it does.
/// </summary>
public sealed class PollCounter(Meter meter, string name, string what)
{
    private readonly Counter<long> polls = meter.CreateCounter<long>(name, "{poll}", $"{what}, by whether they found any (found: true|false); they leave no trace.");

    public void Count(bool found) => polls.Add(1, new KeyValuePair<string, object?>("found", found));
}
