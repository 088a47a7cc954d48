using System.Diagnostics;
using System.Diagnostics.Metrics;
using FlexyPe.Notifier.Model;
using FlexyPe.Outbox;

namespace FlexyPe.Notifier.Telemetry;

/// <summary>
/// Spans and metrics of sending, under "FlexyPe.Notifier" (exported by the service defaults). They carry ids and
/// SMTP reply codes, never addresses or bodies.
/// </summary>
public sealed class NotifierTelemetry
{
    public const string Name = "FlexyPe.Notifier";

    public static readonly ActivitySource Source = new(Name);
    private readonly Counter<long> messages;
    private readonly Histogram<double> queueToAccepted;
    private readonly Counter<long> clicks;

    public NotifierTelemetry(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(Name);
        messages = meter.CreateCounter<long>("flexype.notifier.messages", "{message}",
            "Message requests by outcome: sent, transient_failure, dead_lettered, suppressed.");
        queueToAccepted = meter.CreateHistogram<double>("flexype.notifier.queue_to_250.duration", "s",
            "From a message request being stored to the SMTP server's 250.");
        clicks = meter.CreateCounter<long>("flexype.notifier.clicks", "{click}",
            "Requests to /c/{token} by outcome: redirected, invalid_token, unknown_link.");
        SendingPolls = new PollCounter(meter, "flexype.notifier.sending.polls", "Claims of a due message request");
    }

    /// <summary>
    /// A span for one SMTP send attempt, a child of the step that asked for the message (its stored traceparent),
    /// so one trace runs from the webhook to the SMTP reply.
    /// </summary>
    public Activity? StartSendAttempt(MessageRequest request, int attempt)
    {
        ActivityContext.TryParse(request.TraceParent, null, out var parent);
        var activity = Source.StartActivity("smtp send", ActivityKind.Client, parent);
        activity?.SetTag("flexype.message_request.id", request.Id.ToString());
        activity?.SetTag("flexype.store.id", request.StoreId);
        activity?.SetTag("flexype.send.attempt", attempt);
        return activity;
    }

    public void Count(string outcome) => messages.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public PollCounter SendingPolls { get; }

    public void RecordAccepted(TimeSpan queued) => queueToAccepted.Record(queued.TotalSeconds);

    /// <summary>A request to a tracked link, by outcome only (no URL, no address).</summary>
    public void CountClick(string outcome) => clicks.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
}
