using System.Buffers;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using FlexyPe.Ingest.Model;
using FlexyPe.Ingest.Parsing;
using FlexyPe.Ingest.Storage;
using FlexyPe.Ingest.Telemetry;
using FlexyPe.Ingest.Verification;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace FlexyPe.Ingest.Apis;

/// <summary>The acknowledgement FlexyPe gets: 200 only once the event is committed.</summary>
public sealed record WebhookAck(bool Received, bool Duplicate);

/// <summary><c>POST /webhooks/flexype</c> and <c>/webhooks/flexype/{kind}</c>: FlexyPe's deliveries.</summary>
public static class WebhooksApi
{
    private static readonly string[] HeadersNeverStored = [WebhookAuthenticator.HeaderName, "Authorization", "Cookie"];

    /// <summary>The longest event id taken (FlexyPe's are UUIDs; a content id is 40 characters): past it, 400.</summary>
    public const int MaxEventIdLength = 256;

    public static IEndpointRouteBuilder MapWebhooksApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/webhooks/flexype/{kind?}", ReceiveAsync)
            .WithName("ReceiveFlexyPeWebhook")
            .ExcludeFromDescription();
        return app;
    }

    public static async Task<Results<Ok<WebhookAck>, ProblemHttpResult>> ReceiveAsync(
        HttpContext context,
        string? kind,
        WebhookAuthenticator authenticator,
        DedupeCache dedupe,
        EventWriter writer,
        RejectedDeliveryStore rejected,
        IOptions<IngestOptions> options,
        IngestTelemetry telemetry,
        TimeProvider time,
        ILogger<WebhookDelivery> logger)
    {
        var started = time.GetTimestamp();
        using var activity = IngestTelemetry.ActivitySource.StartActivity("Receive FlexyPe webhook", ActivityKind.Server);
        var request = context.Request;

        var result = await HandleAsync();
        activity?.SetTag("flexype.outcome", result.Outcome);
        telemetry.TimeToAcknowledge.Record(time.GetElapsedTime(started).TotalMilliseconds,
            new KeyValuePair<string, object?>("outcome", result.Outcome));
        return result.Response;

        async Task<(string Outcome, Results<Ok<WebhookAck>, ProblemHttpResult> Response)> HandleAsync()
        {
            // 1. Who is calling. Nothing of an unauthenticated body is read, stored or logged.
            // The client address is the real one behind trusted proxies only (ServiceDefaults' TrustedProxies).
            var authentication = authenticator.Authenticate(request.Headers[WebhookAuthenticator.HeaderName].FirstOrDefault(), context.Connection.RemoteIpAddress);
            switch (authentication.Outcome)
            {
                case AuthenticationOutcome.TooManyFailures:
                    telemetry.Rejected.Add(1, new KeyValuePair<string, object?>("reason", "too_many_failures"));
                    context.Response.Headers.RetryAfter = ((int)Math.Ceiling(authentication.RetryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                    return ("too_many_failures", Problem(StatusCodes.Status429TooManyRequests, "Too many failed attempts",
                        "Too many deliveries with a wrong secret came from this address; wait before trying again. A delivery with the right secret is always accepted."));
                case AuthenticationOutcome.Refused:
                    telemetry.Rejected.Add(1, new KeyValuePair<string, object?>("reason", "unauthorized"));
                    logger.LogWarning("Refused a delivery with a missing or wrong {Header} from {Client}",
                        WebhookAuthenticator.HeaderName, context.Connection.RemoteIpAddress);
                    return ("unauthorized", Problem(StatusCodes.Status401Unauthorized, "Unauthorized",
                        $"The {WebhookAuthenticator.HeaderName} header is missing or does not match the webhook secret."));
            }

            // 2. The body, within the size limit.
            var limit = options.Value.MaxBodyBytes;
            if (request.ContentLength > limit)
            {
                return TooLarge();
            }
            var body = await ReadBodyAsync(request, limit, context.RequestAborted);
            if (body is null)
            {
                return TooLarge();
            }

            var headersJson = HeadersJson(request);
            var bodyText = Encoding.UTF8.GetString(body);

            // 3. Something we can read: a JSON object, in UTF-8 as JSON must be (RFC 8259). The reader does not check the
            // bytes inside strings it is not asked for, and the stored text would silently differ from what was sent.
            if (!System.Text.Unicode.Utf8.IsValid(body))
            {
                return await RejectAsync("invalid_utf8", "The body is not valid UTF-8, so it is not JSON.", null);
            }
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(body);
            }
            catch (JsonException e)
            {
                return await RejectAsync("malformed_json", $"The body is not valid JSON ({e.Message})", null);
            }

            using (document)
            {
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                {
                    return await RejectAsync("not_an_object", $"The body is JSON but a {document.RootElement.ValueKind}, not an object.", null);
                }

                var delivery = new WebhookDelivery(
                    document.RootElement,
                    request.Headers["X-Event-Id"].FirstOrDefault(),
                    request.Headers["X-Webhook-Version"].FirstOrDefault(),
                    kind,
                    time.GetUtcNow());
                var eventId = FlexyPeEventParser.EventIdOf(delivery);
                if (eventId.Length > MaxEventIdLength)
                {
                    return await RejectAsync("event_id_too_long", $"The event id is {eventId.Length} characters; at most {MaxEventIdLength} are accepted.", eventId[..MaxEventIdLength]);
                }
                var normalized = FlexyPeEventParser.Parse(delivery, eventId);
                activity?.SetTag("flexype.event_type", normalized.Type);
                activity?.SetTag("flexype.payload_version", normalized.PayloadVersion);
                activity?.SetTag("flexype.store", normalized.StoreId);
                activity?.SetTag("flexype.event_id", eventId);

                // 4. Dedupe: Redis first, Postgres's unique key as the truth.
                if (await dedupe.IsKnownAsync(normalized.StoreId, eventId))
                {
                    return Duplicate(normalized);
                }

                var toStore = new EventToStore(
                    normalized.StoreId, eventId, normalized.Type, normalized.PayloadVersion, normalized.OccurredAt,
                    normalized.ReceivedAt, normalized.Customer?.Email, normalized.Checkout?.Key, bodyText, headersJson,
                    JsonbText.From(IngestJson.Serialize(normalized)), Activity.Current?.Id);

                // 5. Commit, then acknowledge. A commit that fails or takes too long is a 503: FlexyPe retries.
                StoreOutcome outcome;
                try
                {
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
                    timeout.CancelAfter(options.Value.CommitTimeout);
                    outcome = await writer.StoreAsync(toStore, timeout.Token);
                }
                catch (Npgsql.PostgresException e) when (EventWriter.IsAboutTheData(e))
                {
                    // Verified but not storable as an event: kept for an operator, and FlexyPe is told why.
                    return await RejectAsync("unstorable", $"The event could not be stored as it is ({e.SqlState}: {e.MessageText}).", eventId);
                }
                catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException or OperationCanceledException or InvalidOperationException)
                {
                    telemetry.Unavailable.Add(1);
                    logger.LogError("Event {EventId} of {Store} not committed, answering 503: {Error}", eventId, normalized.StoreId, e.GetType().Name);
                    context.Response.Headers.RetryAfter = "60";
                    return ("unavailable", Problem(StatusCodes.Status503ServiceUnavailable, "Storage unavailable",
                        "The event could not be stored right now; nothing was acknowledged. Retry later."));
                }

                dedupe.Remember(normalized.StoreId, eventId);
                if (outcome == StoreOutcome.Duplicate)
                {
                    return Duplicate(normalized);
                }

                telemetry.Received.Add(1, new KeyValuePair<string, object?>("type", normalized.Type), new KeyValuePair<string, object?>("version", normalized.PayloadVersion));
                activity?.SetTag("flexype.duplicate", false);
                // Debug: one line per delivery costs more than the delivery itself at load; counters and spans carry it.
                logger.LogDebug("Stored {Type} event {EventId} of {Store} ({Version})", normalized.Type, eventId, normalized.StoreId, normalized.PayloadVersion);
                return ("stored", TypedResults.Ok(new WebhookAck(Received: true, Duplicate: false)));
            }

            async Task<(string, Results<Ok<WebhookAck>, ProblemHttpResult>)> RejectAsync(string reason, string detail, string? eventId)
            {
                telemetry.Rejected.Add(1, new KeyValuePair<string, object?>("reason", reason));
                var kept = await rejected.KeepAsync(reason, StatusCodes.Status400BadRequest, eventId ?? request.Headers["X-Event-Id"].FirstOrDefault(),
                    kind, bodyText, headersJson, context.RequestAborted);
                logger.LogWarning("Rejected a delivery: {Reason} (kept for operators: {Kept})", reason, kept);
                return (reason, Problem(StatusCodes.Status400BadRequest, "Bad delivery", detail));
            }
        }

        (string, Results<Ok<WebhookAck>, ProblemHttpResult>) TooLarge()
        {
            telemetry.Rejected.Add(1, new KeyValuePair<string, object?>("reason", "too_large"));
            return ("too_large", Problem(StatusCodes.Status413PayloadTooLarge, "Body too large",
                $"The body is larger than {options.Value.MaxBodyBytes} bytes."));
        }

        (string, Results<Ok<WebhookAck>, ProblemHttpResult>) Duplicate(FlexyPeEvent normalized)
        {
            telemetry.Duplicates.Add(1, new KeyValuePair<string, object?>("type", normalized.Type));
            activity?.SetTag("flexype.duplicate", true);
            return ("duplicate", TypedResults.Ok(new WebhookAck(Received: true, Duplicate: true)));
        }
    }

    private static ProblemHttpResult Problem(int status, string title, string detail) =>
        TypedResults.Problem(title: title, detail: detail, statusCode: status);

    /// <summary>
    /// The whole body, or null past <paramref name="limit"/> bytes (a body without a Content-Length is cut off there too).
    /// Kestrel's request pipe holds what has arrived in its pooled buffers; the one array made is the body's own size.
    /// </summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        var reader = request.BodyReader;
        while (true)
        {
            var read = await reader.ReadAsync(cancellationToken);
            var buffer = read.Buffer;
            if (buffer.Length > limit)
            {
                reader.AdvanceTo(buffer.Start, buffer.End);
                return null;
            }
            if (read.IsCompleted)
            {
                var body = buffer.ToArray();
                reader.AdvanceTo(buffer.End);
                return body;
            }
            // Nothing taken yet: wait for more, keeping all of it.
            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private static string HeadersJson(HttpRequest request) => JsonSerializer.Serialize(
        request.Headers
            .Where(h => !HeadersNeverStored.Contains(h.Key, StringComparer.OrdinalIgnoreCase))
            .ToDictionary(h => h.Key, h => h.Value.ToString()));
}
