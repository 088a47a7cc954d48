using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FlexyPe.Workflows.Apis;

public sealed record ReceivedEvent(string StoreId, string EventId, string Type, int Deliveries, string? TraceParent);

/// <summary>
/// Stub receiver for Ingest's hand-off (docs/hand-offs.md) until sequences exist: it records, idempotently, which
/// events reached Workflows and how many times each was delivered. In memory: it is replaced by the real receiver.
/// </summary>
public static class InternalEventsApi
{
    private static readonly ConcurrentDictionary<(string StoreId, string EventId), ReceivedEvent> Received = new();

    public static IEndpointRouteBuilder MapInternalEventsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/internal").RequireAdminApiKey().ExcludeFromDescription();
        api.MapPost("/events", Receive);
        api.MapGet("/events", () => TypedResults.Ok(Received.Values.OrderBy(e => e.EventId).ToList()));
        return app;
    }

    private static Results<Ok<ReceivedEvent>, ProblemHttpResult> Receive(JsonElement body, HttpRequest request)
    {
        var traceParent = request.Headers["traceparent"].FirstOrDefault();
        var storeId = body.TryGetProperty("store_id", out var s) ? s.GetString() : null;
        var eventId = body.TryGetProperty("event_id", out var e) ? e.GetString() : null;
        var type = body.TryGetProperty("type", out var t) ? t.GetString() : null;
        if (storeId is null || eventId is null || type is null)
        {
            return TypedResults.Problem(title: "Bad event", detail: "store_id, event_id and type are required.", statusCode: 400);
        }

        var received = Received.AddOrUpdate((storeId, eventId),
            _ => new ReceivedEvent(storeId, eventId, type, 1, traceParent),
            (_, existing) => existing with { Deliveries = existing.Deliveries + 1 });
        return TypedResults.Ok(received);
    }
}
