using System.Globalization;
using FlexyPe.Console.Accounts;
using FlexyPe.Console.Telemetry;

namespace FlexyPe.Console.Clients;

public sealed record MessageSummary(
    Guid Id, string IdempotencyKey, string StoreId, string To, string Subject, string Status,
    int AttemptCount, DateTimeOffset CreatedAt, DateTimeOffset? CompletedAt, string? LastSmtpReply);

public sealed record MessageHeader(string Name, string Value);
public sealed record AttemptView(DateTimeOffset AttemptedAt, string Outcome, string? SmtpReply, string Worker);

public sealed record MessageDetail(
    MessageSummary Message, string MessageId, Dictionary<string, string> Tags, IReadOnlyList<MessageHeader> Headers,
    string? HtmlBody, string? TextBody, IReadOnlyList<AttemptView> Attempts);

public sealed record SuppressionBody(string? StoreId, string? Email, string? Reason);
public sealed record SuppressionView(string StoreId, string Email, string Reason, DateTimeOffset CreatedAt, string? Source = null);

public static class MessageStatuses
{
    public const string Pending = "pending";
    public const string Sent = "sent";
    public const string DeadLettered = "dead_lettered";
    public const string Suppressed = "suppressed";
    public static readonly string[] All = [Pending, Sent, DeadLettered, Suppressed];
}

/// <summary>Notifier's operator API through service discovery (<c>http://notifier</c>): messages, dead letters, suppressions.</summary>
public sealed class NotifierClient(HttpClient http, SignedInUser user, ConsoleTelemetry telemetry, ILogger<NotifierClient> logger)
    : ServiceClient(http, user, telemetry, logger, "Notifier")
{
    public Task<ApiResult<List<MessageSummary>>> MessagesAsync(string? to = null, string? status = null, int limit = 100, CancellationToken ct = default)
        => GetAsync<List<MessageSummary>>("/api/messages" + Query(("to", to), ("status", status), ("limit", limit.ToString(CultureInfo.InvariantCulture))), ct);

    public Task<ApiResult<MessageDetail>> MessageAsync(Guid id, CancellationToken ct = default)
        => GetAsync<MessageDetail>($"/api/messages/{id}", ct);

    public Task<ApiResult<MessageSummary>> ResendAsync(Guid id, CancellationToken ct = default)
        => ChangeAsync<MessageSummary>(HttpMethod.Post, $"/api/messages/{id}/resend", null, ConsoleRoles.CanEdit, ct);

    public Task<ApiResult<List<SuppressionView>>> SuppressionsAsync(string? storeId = null, string? email = null, CancellationToken ct = default)
        => GetAsync<List<SuppressionView>>("/api/suppressions" + Query(("store_id", storeId), ("email", email)), ct);

    public Task<ApiResult<SuppressionView>> SuppressAsync(SuppressionBody body, CancellationToken ct = default)
        => ChangeAsync<SuppressionView>(HttpMethod.Post, "/api/suppressions", body, ConsoleRoles.CanEdit, ct);

    public Task<ApiResult<object>> LiftSuppressionAsync(string storeId, string email, CancellationToken ct = default)
        => ChangeAsync<object>(HttpMethod.Delete, $"/api/suppressions/{Segment(storeId)}/{Segment(email)}", null, ConsoleRoles.CanEdit, ct);
}
