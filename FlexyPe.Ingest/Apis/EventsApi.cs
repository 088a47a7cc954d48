using System.Text.Json;
using FlexyPe.Ingest.Infrastructure;
using FlexyPe.Ingest.HandOffs;
using FlexyPe.Ingest.Model;
using FlexyPe.Ingest.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using FlexyPe.Outbox;
using Microsoft.EntityFrameworkCore;

namespace FlexyPe.Ingest.Apis;

public sealed record EventSummary(
    long Id, string StoreId, string EventId, string Type, string PayloadVersion,
    DateTimeOffset? OccurredAt, DateTimeOffset ReceivedAt, string? Email, string? CheckoutKey);

public sealed record HandOffStatus(long OutboxId, DateTimeOffset CreatedAt, DateTimeOffset? DeliveredAt, int Attempts, string? LastError);

public sealed record EventDetail(
    EventSummary Event, JsonElement Raw, JsonElement Headers, JsonElement Normalized, IReadOnlyList<HandOffStatus> HandOffs);

public sealed record RejectedDeliveryView(
    long Id, DateTimeOffset ReceivedAt, string Reason, int StatusCode, string? EventId, string? PathKind, string Body, JsonElement Headers);

public sealed record ReplayAccepted(string StoreId, string EventId, long OutboxId);

/// <summary>What operators see of Ingest (admin key): stored events, rejected deliveries, and replay to Workflows.</summary>
public static class EventsApi
{
    private const int DefaultLimit = 100;
    private const int MaxLimit = 1000;

    public static IEndpointRouteBuilder MapEventsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").RequireAdminApiKey().WithTags("Operators");
        api.MapGet("/events", ListEventsAsync).WithSummary("Stored events, newest first, filtered by type, email, checkout key, store or time.");
        api.MapGet("/events/{eventId}", GetEventAsync).WithSummary("One stored event: raw body, headers (without the secret), normalized event, hand-offs.");
        api.MapPost("/events/{eventId}/replay", ReplayAsync).WithSummary("Hand a stored event to Workflows again (Workflows dedupes).");
        api.MapGet("/rejected-deliveries", ListRejectedAsync).WithSummary("Authenticated deliveries that could not be accepted, with the reason.");
        return app;
    }

    public static async Task<Ok<List<EventSummary>>> ListEventsAsync(
        IngestDbContext db, string? type, string? email, string? checkout, string? store, DateTimeOffset? since, int? limit,
        CancellationToken cancellationToken)
    {
        var query = db.Events.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(type))
        {
            query = query.Where(e => e.Type == type);
        }
        if (!string.IsNullOrWhiteSpace(email))
        {
            var normalizedEmail = email.Trim().ToLowerInvariant();
            query = query.Where(e => e.Email == normalizedEmail);
        }
        if (!string.IsNullOrWhiteSpace(checkout))
        {
            query = query.Where(e => e.CheckoutKey == checkout);
        }
        if (!string.IsNullOrWhiteSpace(store))
        {
            query = query.Where(e => e.StoreId == store.ToLowerInvariant());
        }
        if (since is { } from)
        {
            query = query.Where(e => e.ReceivedAt >= from.ToUniversalTime());
        }

        var events = await query
            .OrderByDescending(e => e.Id)
            .Take(Math.Clamp(limit ?? DefaultLimit, 1, MaxLimit))
            .Select(e => new EventSummary(e.Id, e.StoreId, e.EventId, e.Type, e.PayloadVersion, e.OccurredAt, e.ReceivedAt, e.Email, e.CheckoutKey))
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(events);
    }

    public static async Task<Results<Ok<EventDetail>, ProblemHttpResult>> GetEventAsync(
        IngestDbContext db, string eventId, string? store, CancellationToken cancellationToken)
    {
        var stored = await FindAsync(db, eventId, store, cancellationToken);
        if (stored is null)
        {
            return NotFound(eventId);
        }

        var key = HandOffKey.Of(stored.StoreId, stored.EventId);
        var handOffs = await db.OutboxMessages.AsNoTracking()
            .Where(o => o.Key == key)
            .OrderBy(o => o.Id)
            .Select(o => new HandOffStatus(o.Id, o.CreatedAt, o.DeliveredAt, o.Attempts, o.LastError))
            .ToListAsync(cancellationToken);

        return TypedResults.Ok(new EventDetail(
            Summary(stored),
            Json(stored.Raw),
            Json(stored.Headers),
            Json(stored.Normalized),
            handOffs));
    }

    public static async Task<Results<Accepted<ReplayAccepted>, ProblemHttpResult>> ReplayAsync(
        IngestDbContext db, string eventId, string? store, CancellationToken cancellationToken)
    {
        var stored = await FindAsync(db, eventId, store, cancellationToken);
        if (stored is null)
        {
            return NotFound(eventId);
        }

        // A new row, so the event goes again even though Workflows took it before; its commit wakes the relay.
        var message = new OutboxMessage
        {
            Key = HandOffKey.Of(stored.StoreId, stored.EventId),
            Payload = stored.Normalized,
            TraceParent = System.Diagnostics.Activity.Current?.Id,
        };
        db.OutboxMessages.Add(message);
        await db.SaveChangesAsync(cancellationToken);

        return TypedResults.Accepted($"/api/events/{Uri.EscapeDataString(eventId)}",
            new ReplayAccepted(stored.StoreId, stored.EventId, message.Id));
    }

    public static async Task<Ok<List<RejectedDeliveryView>>> ListRejectedAsync(
        IngestDbContext db, int? limit, CancellationToken cancellationToken)
    {
        var rows = await db.RejectedDeliveries.AsNoTracking()
            .OrderByDescending(r => r.Id)
            .Take(Math.Clamp(limit ?? DefaultLimit, 1, MaxLimit))
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(rows
            .Select(r => new RejectedDeliveryView(r.Id, r.ReceivedAt, r.Reason, r.StatusCode, r.EventId, r.PathKind, r.Body,
                Json(r.Headers)))
            .ToList());
    }

    private static Task<StoredEvent?> FindAsync(IngestDbContext db, string eventId, string? store, CancellationToken cancellationToken)
    {
        var query = db.Events.AsNoTracking().Where(e => e.EventId == eventId);
        if (!string.IsNullOrWhiteSpace(store))
        {
            query = query.Where(e => e.StoreId == store.ToLowerInvariant());
        }
        return query.OrderByDescending(e => e.Id).FirstOrDefaultAsync(cancellationToken);
    }

    /// <summary>Stored JSON as an element that owns its memory (a parsed document would have to be disposed).</summary>
    private static JsonElement Json(string text) => JsonSerializer.Deserialize<JsonElement>(text);

    private static EventSummary Summary(StoredEvent e) =>
        new(e.Id, e.StoreId, e.EventId, e.Type, e.PayloadVersion, e.OccurredAt, e.ReceivedAt, e.Email, e.CheckoutKey);

    private static ProblemHttpResult NotFound(string eventId) => TypedResults.Problem(
        title: "Event not found",
        detail: $"No stored event has the id '{eventId}'.",
        statusCode: StatusCodes.Status404NotFound);
}
