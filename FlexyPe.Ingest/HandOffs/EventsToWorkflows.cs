using System.Text.Json;
using FlexyPe.Ingest.Telemetry;
using FlexyPe.Outbox;
using Npgsql;

namespace FlexyPe.Ingest.HandOffs;

/// <summary>The outbox key of an event: Workflows dedupes on the store and the event id together.</summary>
public static class HandOffKey
{
    // Escaping only what JSON requires, as Postgres's to_json does (the SharedOutbox migration made keys with it).
    private static readonly JsonSerializerOptions Json = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>A JSON array of the two, so neither may contain anything that confuses them (a store link has slashes).</summary>
    public static string Of(string storeId, string eventId) => JsonSerializer.Serialize(new[] { storeId, eventId }, Json);

    public static string EventIdOf(string key) => JsonSerializer.Deserialize<string[]>(key, Json) is [_, var eventId] ? eventId : key;

    /// <summary>The store and event id a key names.</summary>
    public static (string StoreId, string EventId) Parse(string key)
        => JsonSerializer.Deserialize<string[]>(key, Json) is [var storeId, var eventId]
            ? (storeId, eventId)
            : throw new FormatException("An event's hand-off key is a JSON array of its store and event id.");
}

/// <summary>
/// Hands stored events to Workflows (<c>POST /internal/events/batch</c>, docs/hand-offs.md): the outbox relay gives
/// it up to 25 at a time, several requests at once. Each event carries the trace context of its attempt, so Workflows
/// goes on in the trace of the webhook that brought it.
/// </summary>
/// <remarks>
/// An event's outbox row points at it by key and carries no payload: the normalized event is read from <c>events</c>
/// when it is sent, so the webhook's commit writes it once (bench/README, "The outbox row points at the event"). A row
/// with a payload (a replay, or one written before) is sent as it is.
/// </remarks>
public sealed class EventsToWorkflows(HttpClient http, OutboxDatabase database) : IOutboxSender
{
    private static readonly OutboxBatchFormat Format = new(
        "/internal/events/batch", "events", "event", "event_id", message => HandOffKey.EventIdOf(message.Key),
        IngestTelemetry.ActivitySource, "Hand events to Workflows");

    public async Task<IReadOnlyList<OutboxOutcome>> SendAsync(IReadOnlyList<OutboxDelivery> batch, CancellationToken cancellationToken)
    {
        await ReadEventsAsync([.. batch.Select(d => d.Message).Where(m => m.Payload is null)], cancellationToken);
        return await OutboxBatchHttp.PostAsync(http, Format, batch, cancellationToken);
    }

    /// <summary>Fills each row's payload with its event's normalized form, in one query.</summary>
    private async Task ReadEventsAsync(List<OutboxMessage> rows, CancellationToken cancellationToken)
    {
        if (rows.Count == 0)
        {
            return;
        }
        var keys = rows.Select(m => HandOffKey.Parse(m.Key)).ToList();
        await using var command = database.DataSource.CreateCommand("""
            SELECT k.i, e.normalized
            FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS k(store_id, event_id, i)
            JOIN events e ON e.store_id = k.store_id AND e.event_id = k.event_id
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = keys.Select(k => k.StoreId).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = keys.Select(k => k.EventId).ToArray() });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows[(int)reader.GetInt64(0) - 1].Payload = reader.GetString(1);
        }
    }
}
