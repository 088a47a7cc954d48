using System.Globalization;
using System.Text.Json;
using FlexyPe.Console.Accounts;
using FlexyPe.Console.Telemetry;

namespace FlexyPe.Console.Clients;

public sealed record EventSummary(
    long Id, string StoreId, string EventId, string Type, string PayloadVersion,
    DateTimeOffset? OccurredAt, DateTimeOffset ReceivedAt, string? Email, string? CheckoutKey);

public sealed record HandOffStatus(long OutboxId, DateTimeOffset CreatedAt, DateTimeOffset? DeliveredAt, int Attempts, string? LastError);

public sealed record EventDetail(EventSummary Event, JsonElement Raw, JsonElement Headers, JsonElement Normalized, IReadOnlyList<HandOffStatus> HandOffs);

public sealed record RejectedDelivery(
    long Id, DateTimeOffset ReceivedAt, string Reason, int StatusCode, string? EventId, string? PathKind, string Body, JsonElement Headers);

public sealed record ReplayAccepted(string StoreId, string EventId, long OutboxId);

/// <summary>Ingest's operator API through service discovery (<c>http://ingest</c>): stored and rejected deliveries, replay.</summary>
public sealed class IngestClient(HttpClient http, SignedInUser user, ConsoleTelemetry telemetry, ILogger<IngestClient> logger)
    : ServiceClient(http, user, telemetry, logger, "Ingest")
{
    public Task<ApiResult<List<EventSummary>>> EventsAsync(
        string? type = null, string? email = null, string? checkout = null, string? store = null, DateTimeOffset? since = null,
        int limit = 100, CancellationToken ct = default)
        => GetAsync<List<EventSummary>>("/api/events" + Query(
            ("type", type), ("email", email), ("checkout", checkout), ("store", store),
            ("since", since?.ToString("O", CultureInfo.InvariantCulture)), ("limit", limit.ToString(CultureInfo.InvariantCulture))), ct);

    public Task<ApiResult<EventDetail>> EventAsync(string eventId, string? store, CancellationToken ct = default)
        => GetAsync<EventDetail>($"/api/events/{Segment(eventId)}" + Query(("store", store)), ct);

    public Task<ApiResult<ReplayAccepted>> ReplayAsync(string eventId, string store, CancellationToken ct = default)
        => ChangeAsync<ReplayAccepted>(HttpMethod.Post, $"/api/events/{Segment(eventId)}/replay" + Query(("store", store)), null, ConsoleRoles.CanEdit, ct);

    public Task<ApiResult<List<RejectedDelivery>>> RejectedAsync(int limit = 100, CancellationToken ct = default)
        => GetAsync<List<RejectedDelivery>>("/api/rejected-deliveries" + Query(("limit", limit.ToString(CultureInfo.InvariantCulture))), ct);
}
