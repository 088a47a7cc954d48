using System.Diagnostics;
using System.Text.Json;
using FlexyPe.Workflows.Events;
using FlexyPe.Workflows.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace FlexyPe.Workflows.Outbox;

public static class OutboxWriter
{
    /// <summary>
    /// Adds a message request to the outbox in the caller's transaction, with the current trace context. Returns its id,
    /// or null when a request with the same idempotency key already exists (then nothing is added).
    /// </summary>
    public static async Task<Guid?> AddAsync(WorkflowsDbContext db, MessageRequest request, DateTimeOffset now, CancellationToken ct)
    {
        var id = Guid.CreateVersion7();
        var payload = JsonSerializer.Serialize(request, WorkflowEvent.Json);
        var traceParent = Activity.Current?.Id;
        var inserted = await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO outbox (id, idempotency_key, payload, trace_parent, created_at, attempts, next_attempt_at)
            VALUES ({id}, {request.IdempotencyKey}, {payload}::jsonb, {traceParent}, {now}, 0, {now})
            ON CONFLICT (idempotency_key) DO NOTHING
            """, ct);
        return inserted == 1 ? id : null;
    }
}
