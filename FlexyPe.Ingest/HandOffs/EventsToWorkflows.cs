using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
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
    /// <summary>
    /// The most one request carries, well under the 30 MB Workflows reads (Kestrel's limit): a batch of large events
    /// (a webhook may be 1 MB, and its normalized form keeps the raw body) goes as several requests. Over the limit,
    /// Kestrel would close the connection mid-body, and the batch would fail the same way each time it is claimed.
    /// </summary>
    public const int MaxRequestBytes = 8 * 1024 * 1024;

    public async Task<IReadOnlyList<OutboxOutcome>> SendAsync(IReadOnlyList<OutboxDelivery> batch, CancellationToken cancellationToken)
    {
        var outcomes = new List<OutboxOutcome>(batch.Count);
        foreach (var part in PartsOf(batch))
        {
            try
            {
                outcomes.AddRange(await SendPartAsync(part, cancellationToken));
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && outcomes.Count > 0)
            {
                // The parts before were answered: keep their outcomes; this part and those after wait for a retry.
                var reason = $"{e.GetType().Name}: {e.GetBaseException().Message}";
                outcomes.AddRange(batch.Skip(outcomes.Count).Select(_ => OutboxOutcome.Failed(reason)));
                break;
            }
        }
        return outcomes;
    }

    /// <summary>Consecutive runs of the batch, each under <paramref name="maxBytes"/> (an event larger than that goes alone).</summary>
    public static IEnumerable<List<OutboxDelivery>> PartsOf(IReadOnlyList<OutboxDelivery> batch, int maxBytes = MaxRequestBytes)
    {
        var part = new List<OutboxDelivery>();
        long bytes = 0;
        foreach (var delivery in batch)
        {
            // The payload as it goes on the wire, and room for its trace_parent and the item's braces.
            var size = Encoding.UTF8.GetByteCount(delivery.Message.Payload ?? "null") + 128;
            if (part.Count > 0 && bytes + size > maxBytes)
            {
                yield return part;
                part = [];
                bytes = 0;
            }
            part.Add(delivery);
            bytes += size;
        }
        if (part.Count > 0)
        {
            yield return part;
        }
    }

    private async Task<OutboxOutcome[]> SendPartAsync(List<OutboxDelivery> batch, CancellationToken cancellationToken)
    {
        // One span for the request, linked to the attempt of each event it carries.
        var links = batch.Select(d => ActivityContext.TryParse(d.TraceParent, null, out var context) ? new ActivityLink(context) : default)
            .Where(link => link.Context != default);
        using var activity = IngestTelemetry.ActivitySource.StartActivity("Hand events to Workflows", ActivityKind.Producer,
            parentContext: default, links: links);
        activity?.SetTag("flexype.batch.size", batch.Count);
        try
        {
            return await PostAsync(batch, cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            activity?.SetStatus(ActivityStatusCode.Error, e.GetType().Name);
            throw;
        }
    }

    private async Task<OutboxOutcome[]> PostAsync(List<OutboxDelivery> batch, CancellationToken cancellationToken)
    {
        using var body = new MemoryStream();
        await using (var writer = new Utf8JsonWriter(body))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("events");
            foreach (var delivery in batch)
            {
                writer.WriteStartObject();
                writer.WriteString("trace_parent", delivery.TraceParent);
                writer.WritePropertyName("event");
                writer.WriteRawValue(delivery.Message.Payload ?? "null", skipInputValidation: true);   // as stored: valid JSON already
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        body.Position = 0;

        using var request = new HttpRequestMessage(HttpMethod.Post, "/internal/events/batch") { Content = new StreamContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await http.SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();

        try
        {
            using var answer = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
            var results = answer.RootElement.GetProperty("results");
            var outcomes = new OutboxOutcome[batch.Count];
            for (var i = 0; i < batch.Count; i++)
            {
                outcomes[i] = i >= results.GetArrayLength()
                    ? OutboxOutcome.Failed("no answer for this event")
                    : Outcome(results[i], HandOffKey.EventIdOf(batch[i].Message.Key));
            }
            return outcomes;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new HttpRequestException("Workflows' answer to a batch could not be read: " + e.Message, e);
        }
    }

    /// <summary>An answer counts only for the event it names: one matched by position alone could mark another delivered.</summary>
    private static OutboxOutcome Outcome(JsonElement result, string eventId) => result.GetProperty("event_id").GetString() != eventId
        ? OutboxOutcome.Failed("the answer in this position is for another event")
        : result.GetProperty("status").GetString() switch
    {
        "accepted" or "duplicate" => OutboxOutcome.Delivered,
        // Workflows will never take this event as it is: settle it with the reason (the event stays in ingestdb).
        "invalid" => OutboxOutcome.Refused("invalid: " + (result.TryGetProperty("errors", out var errors) ? errors.GetRawText() : "no reason given")),
        var status => OutboxOutcome.Failed($"{status}: " + (result.TryGetProperty("error", out var error) ? error.ToString() : "no reason given")),
    };
}
