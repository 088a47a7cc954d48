using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace FlexyPe.Outbox;

/// <summary>
/// How a receiver that takes many rows in one request wants them (docs/hand-offs.md): a JSON object whose
/// <paramref name="ItemsName"/> array holds <c>{"trace_parent": …, "<paramref name="ItemName"/>": payload}</c>, answered
/// with <c>{"results": [{"<paramref name="AnswerKeyName"/>": …, "status": …}]}</c> in the same order.
/// </summary>
/// <param name="Uri">Where to POST.</param>
/// <param name="ItemsName">The array's name (<c>events</c>).</param>
/// <param name="ItemName">Each item's payload property (<c>event</c>).</param>
/// <param name="AnswerKeyName">What each answer names its row by (<c>event_id</c>).</param>
/// <param name="AnswerKeyOf">The value an answer to this row must name.</param>
/// <param name="Source">Where the request's span comes from.</param>
/// <param name="SpanName">The request's span (one per request, linked to the attempt of each row it carries).</param>
public sealed record OutboxBatchFormat(
    string Uri,
    string ItemsName,
    string ItemName,
    string AnswerKeyName,
    Func<OutboxMessage, string> AnswerKeyOf,
    ActivitySource Source,
    string SpanName);

/// <summary>For senders whose receiver takes a batch per request and answers for each row (<see cref="OutboxBatchFormat"/>).</summary>
public static class OutboxBatchHttp
{
    /// <summary>
    /// The most one request carries, well under the 30 MB a receiver reads (Kestrel's limit): a batch of large payloads
    /// goes as several requests. Over the limit, Kestrel would close the connection mid-body, and the batch would fail
    /// the same way each time it is claimed.
    /// </summary>
    public const int MaxRequestBytes = 8 * 1024 * 1024;

    private static readonly MediaTypeHeaderValue Json = new("application/json");

    /// <summary>
    /// Sends the batch in parts of at most <see cref="MaxRequestBytes"/>, in order. When a part fails after others were
    /// answered, their outcomes are kept, and that part and those after are failed (tried again later).
    /// </summary>
    public static async Task<IReadOnlyList<OutboxOutcome>> PostAsync(
        HttpClient http, OutboxBatchFormat format, IReadOnlyList<OutboxDelivery> batch, CancellationToken cancellationToken)
    {
        var outcomes = new List<OutboxOutcome>(batch.Count);
        foreach (var part in PartsOf(batch))
        {
            try
            {
                outcomes.AddRange(await SendPartAsync(http, format, part, cancellationToken));
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && outcomes.Count > 0)
            {
                var reason = $"{e.GetType().Name}: {e.GetBaseException().Message}";
                outcomes.AddRange(batch.Skip(outcomes.Count).Select(_ => OutboxOutcome.Failed(reason)));
                break;
            }
        }
        return outcomes;
    }

    /// <summary>Consecutive runs of the batch, each under <paramref name="maxBytes"/> (a payload larger than that goes alone).</summary>
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

    private static async Task<OutboxOutcome[]> SendPartAsync(
        HttpClient http, OutboxBatchFormat format, List<OutboxDelivery> batch, CancellationToken cancellationToken)
    {
        var links = batch.Select(d => ActivityContext.TryParse(d.TraceParent, null, out var context) ? new ActivityLink(context) : default)
            .Where(link => link.Context != default);
        using var activity = format.Source.StartActivity(format.SpanName, ActivityKind.Producer, parentContext: default, links: links);
        activity?.SetTag("flexype.batch.size", batch.Count);
        try
        {
            return await PostPartAsync(http, format, batch, cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            activity?.SetStatus(ActivityStatusCode.Error, e.GetType().Name);
            throw;
        }
    }

    private static async Task<OutboxOutcome[]> PostPartAsync(
        HttpClient http, OutboxBatchFormat format, List<OutboxDelivery> batch, CancellationToken cancellationToken)
    {
        using var body = new MemoryStream();
        await using (var writer = new Utf8JsonWriter(body))
        {
            writer.WriteStartObject();
            writer.WriteStartArray(format.ItemsName);
            foreach (var delivery in batch)
            {
                writer.WriteStartObject();
                writer.WriteString("trace_parent", delivery.TraceParent);
                writer.WritePropertyName(format.ItemName);
                writer.WriteRawValue(delivery.Message.Payload ?? "null", skipInputValidation: true);   // as stored: valid JSON already
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        body.Position = 0;

        using var request = new HttpRequestMessage(HttpMethod.Post, format.Uri) { Content = new StreamContent(body) };
        request.Content.Headers.ContentType = Json;
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
                    ? OutboxOutcome.Failed("no answer for this row")
                    : Outcome(results[i], format.AnswerKeyName, format.AnswerKeyOf(batch[i].Message));
            }
            return outcomes;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new HttpRequestException("The answer to a batch could not be read: " + e.Message, e);
        }
    }

    /// <summary>An answer counts only for the row it names: one matched by position alone could mark another delivered.</summary>
    private static OutboxOutcome Outcome(JsonElement result, string keyName, string expected) => result.GetProperty(keyName).GetString() != expected
        ? OutboxOutcome.Failed("the answer in this position is for another row")
        : result.GetProperty("status").GetString() switch
    {
        "accepted" or "duplicate" => OutboxOutcome.Delivered,
        // The receiver will never take this row as it is: settle it with the reason (the sender keeps its own record).
        "invalid" => OutboxOutcome.Refused("invalid: " + (result.TryGetProperty("errors", out var errors) ? errors.GetRawText() : "no reason given")),
        var status => OutboxOutcome.Failed($"{status}: " + (result.TryGetProperty("error", out var error) ? error.ToString() : "no reason given")),
    };
}
