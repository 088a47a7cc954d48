using FlexyPe.Workflows.Model;
using Microsoft.Extensions.Options;

namespace FlexyPe.Workflows;

/// <summary>The one place time is read: the injected <see cref="TimeProvider"/>, with every duration divided by <c>Workflows:TimeScale</c>.</summary>
public sealed class WorkflowClock(TimeProvider time, IOptions<WorkflowsOptions> options)
{
    private readonly double scale = options.Value.TimeScale > 0 ? options.Value.TimeScale : 1;

    public DateTimeOffset Now => time.GetUtcNow();

    public TimeSpan Scale(TimeSpan duration) => duration / scale;

    /// <summary>When each step falls due for an enrollment triggered at <paramref name="triggeredAt"/>.</summary>
    public IReadOnlyList<(int Number, DateTimeOffset DueAt)> DueTimes(IEnumerable<SequenceStep> steps, DateTimeOffset triggeredAt)
    {
        var result = new List<(int, DateTimeOffset)>();
        var previous = triggeredAt;
        foreach (var step in steps.OrderBy(s => s.Number))
        {
            var basis = step.DelayFrom == DelayFrom.PreviousStep ? previous : triggeredAt;
            previous = basis + Scale(step.Delay);
            result.Add((step.Number, previous));
        }
        return result;
    }
}
