namespace FlexyPe.Workflows.HandOffs;

/// <summary>What <c>POST http://notifier/api/message-requests</c> takes (docs/hand-offs.md).</summary>
public sealed record MessageRequest(
    string IdempotencyKey,
    string StoreId,
    string? StoreName,
    string To,
    string Subject,
    string HtmlBody,
    string? TextBody,
    IReadOnlyDictionary<string, string> Tags,
    string? From = null,
    string? ReplyTo = null,
    bool TrackClicks = false);
