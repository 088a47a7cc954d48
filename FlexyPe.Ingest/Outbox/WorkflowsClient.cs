using System.Net.Http.Headers;
using System.Text.Json;

namespace FlexyPe.Ingest.Outbox;

/// <summary>A normalized event to hand over, with the trace context of the webhook request that stored it.</summary>
public sealed record HandOff(string EventId, string NormalizedJson, string? TraceParent);

/// <summary>Hands normalized events to Workflows (<c>POST /internal/events/batch</c>, docs/hand-offs.md).</summary>
public sealed class WorkflowsClient(HttpClient http)
{
    /// <summary>
    /// Sends the events in one request. Returns, per event in the order given, null when Workflows took it (or had it
    /// already), else why not; a failed request (or an answer that cannot be read) throws
    /// <see cref="HttpRequestException"/>, and then none of them was taken for certain.
    /// </summary>
    public async Task<string?[]> DeliverAsync(IReadOnlyList<HandOff> events, CancellationToken cancellationToken)
    {
        using var body = new MemoryStream();
        await using (var writer = new Utf8JsonWriter(body))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("events");
            foreach (var e in events)
            {
                writer.WriteStartObject();
                writer.WriteString("trace_parent", e.TraceParent);
                writer.WritePropertyName("event");
                writer.WriteRawValue(e.NormalizedJson, skipInputValidation: true);   // as stored: valid JSON already
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
            var outcomes = new string?[events.Count];
            for (var i = 0; i < events.Count; i++)
            {
                outcomes[i] = i >= results.GetArrayLength() ? "no answer for this event" : Outcome(results[i], events[i].EventId);
            }
            return outcomes;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new HttpRequestException("Workflows' answer to a batch could not be read: " + e.Message, e);
        }
    }

    /// <summary>An answer counts only for the event it names: one matched by position alone could mark another delivered.</summary>
    private static string? Outcome(JsonElement result, string eventId) => result.GetProperty("event_id").GetString() != eventId
        ? "the answer in this position is for another event"
        : result.GetProperty("status").GetString() switch
    {
        "accepted" or "duplicate" => null,
        "invalid" => "invalid: " + (result.TryGetProperty("errors", out var errors) ? errors.GetRawText() : "no reason given"),
        var status => $"{status}: " + (result.TryGetProperty("error", out var error) ? error.ToString() : "no reason given"),
    };
}
