using System.Diagnostics;
using System.Text.Json;
using FlexyPe.Workflows.HandOffs;
using FlexyPe.Workflows.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace FlexyPe.Workflows.Outbox;

/// <summary>A message request to add to the outbox, with the trace context of the span that produced it.</summary>
public sealed record OutboxEntry(MessageRequest Request, string? TraceParent);

public static class OutboxWriter
{
    /// <summary>
    /// Adds a message request to the outbox in the caller's transaction, with the current trace context. Returns its id,
    /// or null when a request with the same idempotency key already exists (then nothing is added).
    /// </summary>
    public static async Task<Guid?> AddAsync(WorkflowsDbContext db, MessageRequest request, DateTimeOffset now, CancellationToken ct)
        => (await AddAllAsync(db, [new OutboxEntry(request, Activity.Current?.Id)], now, ct))
            .TryGetValue(request.IdempotencyKey, out var id) ? id : null;

    /// <summary>
    /// Adds many message requests in one statement, in the caller's transaction. Returns the ids of those added, by
    /// idempotency key; a key that already had a request is left out (nothing is added for it).
    /// </summary>
    public static async Task<Dictionary<string, Guid>> AddAllAsync(
        WorkflowsDbContext db, IReadOnlyList<OutboxEntry> entries, DateTimeOffset now, CancellationToken ct)
    {
        if (entries.Count == 0)
        {
            return [];
        }
        var ids = entries.Select(_ => Guid.CreateVersion7()).ToArray();
        var keys = entries.Select(e => e.Request.IdempotencyKey).ToArray();
        var payloads = entries.Select(e => JsonSerializer.Serialize(e.Request, HandOffJson.Options)).ToArray();
        var traceParents = entries.Select(e => e.TraceParent).ToArray();
        var added = await db.Database.SqlQuery<Guid>($"""
            INSERT INTO outbox (id, idempotency_key, payload, trace_parent, created_at, attempts, next_attempt_at)
            SELECT id, idempotency_key, payload::jsonb, trace_parent, {now}, 0, {now}
            FROM unnest({ids}, {keys}, {payloads}, {traceParents}) AS entry(id, idempotency_key, payload, trace_parent)
            ON CONFLICT (idempotency_key) DO NOTHING
            RETURNING id AS "Value"
            """).ToListAsync(ct);
        var addedIds = added.ToHashSet();
        return Enumerable.Range(0, ids.Length).Where(i => addedIds.Contains(ids[i])).ToDictionary(i => keys[i], i => ids[i]);
    }
}
