using System.Diagnostics;
using System.Text.Json;
using FlexyPe.Workflows.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace FlexyPe.Workflows.HandOffs;

/// <summary>A message request to add to the outbox, with the trace context of the span that produced it.</summary>
public sealed record OutboxEntry(MessageRequest Request, string? TraceParent);

public static class OutboxWriter
{
    /// <summary>
    /// Adds a message request to the outbox in the caller's transaction, with the current trace context. False when a
    /// request with the same idempotency key already exists (then nothing is added).
    /// </summary>
    public static async Task<bool> AddAsync(WorkflowsDbContext db, MessageRequest request, CancellationToken ct)
        => (await AddAllAsync(db, [new OutboxEntry(request, Activity.Current?.Id)], ct)).Contains(request.IdempotencyKey);

    /// <summary>
    /// Adds many message requests in one statement, in the caller's transaction (whose commit wakes the relay). Returns
    /// the idempotency keys of those added; a key that already had a request is left out (nothing is added for it).
    /// </summary>
    public static async Task<HashSet<string>> AddAllAsync(WorkflowsDbContext db, IReadOnlyList<OutboxEntry> entries, CancellationToken ct)
    {
        if (entries.Count == 0)
        {
            return [];
        }
        var keys = entries.Select(e => e.Request.IdempotencyKey).ToArray();
        var payloads = entries.Select(e => JsonSerializer.Serialize(e.Request, HandOffJson.Options)).ToArray();
        var traceParents = entries.Select(e => e.TraceParent).ToArray();
        // json keeps the text as written, an escaped NUL (\u0000) included, which no receiver can store in a text
        // column: Notifier would refuse the batch it came in, each time it was sent. A payload holding one goes through
        // jsonb, which refuses it (SQLSTATE 22P05), so the step is skipped here (StepFiring.FireDueAsync), alone.
        var added = await db.Database.SqlQuery<string>($"""
            INSERT INTO outbox_messages (key, payload, trace_parent)
            SELECT key, CASE WHEN strpos(payload, '\u0000') > 0 THEN payload::jsonb::json ELSE payload::json END, trace_parent
            FROM unnest({keys}, {payloads}, {traceParents}) AS entry(key, payload, trace_parent)
            ON CONFLICT (key) DO NOTHING
            RETURNING key AS "Value"
            """).ToListAsync(ct);
        return [.. added];
    }
}
