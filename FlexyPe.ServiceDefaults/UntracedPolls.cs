using System.Diagnostics;
using OpenTelemetry;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Leaves out of the exported traces what belongs to no request and no unit of work: a database or Redis call made
/// outside any span (a poll that found nothing, a wake-up listener's <c>LISTEN</c>, Quartz's cluster check-ins and
/// trigger scans, Redis's heartbeat), and anything under a span that is itself not recorded (the database and Redis
/// calls of a health probe, whose request span the ASP.NET Core instrumentation filters out). Each would otherwise be a
/// trace of its own, or a span hanging from nothing, thousands a minute, burying the traces a person opens the
/// dashboard for. A call made inside a recorded span (a webhook, a step firing, an outbox attempt) is kept, so the work
/// a poll claims is traced whole. Done here, once, because several of those calls come from connections the services
/// do not build (Quartz's, EF Core's, Aspire's health checks), where Npgsql's own per-connection filter cannot be set;
/// and because under the dashboard every span is sampled (<c>always_on</c>), whatever its parent. The pollers count
/// their polls instead.
/// </summary>
public sealed class UntracedPolls : BaseProcessor<Activity>
{
    public const string DatabaseSource = "Npgsql";
    public const string RedisSource = "OpenTelemetry.Instrumentation.StackExchangeRedis";

    public override void OnStart(Activity data)
    {
        var outsideAnySpan = data.Parent is null && data.ParentSpanId == default;
        var underUnrecordedSpan = data.Parent is { Recorded: false };
        // Redis's spans are made after the command, from the context it ran in: a parent context, not a parent
        // object, whose sampled flag is the last field of the W3C id.
        var inUnrecordedContext = data.Parent is null && data.ParentSpanId != default && data.ParentId?.EndsWith("-00", StringComparison.Ordinal) == true;
        var store = data.Source.Name is DatabaseSource or RedisSource;
        if (underUnrecordedSpan || (store && (outsideAnySpan || inUnrecordedContext)))
        {
            // Not recorded: no exporter sees it, and the instrumentation skips filling in its tags.
            data.IsAllDataRequested = false;
            data.ActivityTraceFlags &= ~ActivityTraceFlags.Recorded;
        }
    }
}
