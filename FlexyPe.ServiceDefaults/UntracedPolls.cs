using System.Diagnostics;
using OpenTelemetry;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Leaves out of the exported traces every database call that belongs to no request and no unit of work: a poll that
/// found nothing, a wake-up listener's <c>LISTEN</c>, Quartz's cluster check-ins and trigger scans. Each would otherwise
/// be a one-span trace of its own, thousands a minute, burying the traces a person opens the dashboard for. A call made
/// inside a span (a webhook, a step firing, an outbox attempt) has a parent and is kept, so the work a poll claims is
/// traced whole. Done here, once, because several of those calls come from connections the services do not build
/// (Quartz's, EF Core's), where Npgsql's own per-connection filter cannot be set. The pollers count their polls instead.
/// </summary>
public sealed class UntracedPolls : BaseProcessor<Activity>
{
    public const string DatabaseSource = "Npgsql";

    public override void OnStart(Activity data)
    {
        if (data.Source.Name == DatabaseSource && data.Parent is null && data.ParentSpanId == default)
        {
            // Not recorded: no exporter sees it, and Npgsql skips filling in its tags.
            data.IsAllDataRequested = false;
            data.ActivityTraceFlags &= ~ActivityTraceFlags.Recorded;
        }
    }
}
