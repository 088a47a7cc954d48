using System.Text.Json;
using FlexyPe.Ingest.Telemetry;
using FlexyPe.Outbox;

namespace FlexyPe.Ingest.HandOffs;

/// <summary>The outbox key of an event: Workflows dedupes on the store and the event id together.</summary>
public static class HandOffKey
{
    // Escaping only what JSON requires, as Postgres's to_json does (the SharedOutbox migration made keys with it).
    private static readonly JsonSerializerOptions Json = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>A JSON array of the two, so neither may contain anything that confuses them (a store link has slashes).</summary>
    public static string Of(string storeId, string eventId) => JsonSerializer.Serialize(new[] { storeId, eventId }, Json);

    public static string EventIdOf(string key) => JsonSerializer.Deserialize<string[]>(key, Json) is [_, var eventId] ? eventId : key;
}

/// <summary>
/// Hands stored events to Workflows (<c>POST /internal/events/batch</c>, docs/hand-offs.md): the outbox relay gives
/// it up to 25 at a time, several requests at once. Each event carries the trace context of its attempt, so Workflows
/// goes on in the trace of the webhook that brought it.
/// </summary>
public sealed class EventsToWorkflows(HttpClient http) : IOutboxSender
{
    private static readonly OutboxBatchFormat Format = new(
        "/internal/events/batch", "events", "event", "event_id", message => HandOffKey.EventIdOf(message.Key),
        IngestTelemetry.ActivitySource, "Hand events to Workflows");

    public Task<IReadOnlyList<OutboxOutcome>> SendAsync(IReadOnlyList<OutboxDelivery> batch, CancellationToken cancellationToken)
        => OutboxBatchHttp.PostAsync(http, Format, batch, cancellationToken);
}
