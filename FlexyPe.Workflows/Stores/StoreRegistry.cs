using System.Collections.Concurrent;
using FlexyPe.Workflows.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace FlexyPe.Workflows.Stores;

/// <summary>
/// Records each store the first time one of its events is taken, so the console can list stores and settings can be
/// saved for them. Each process writes a store once (then remembers it), so this costs nothing per event.
/// </summary>
public sealed class StoreRegistry(WorkflowsDbContext db, KnownStores known)
{
    public async Task RegisterAsync(string storeId, string? name, DateTimeOffset now, CancellationToken ct)
    {
        if (known.Contains(storeId))
        {
            return;
        }
        // Committed on its own, before the event's transaction: a store row left by an event that then failed is
        // harmless (the event is retried), and a process only remembers a store it knows was written.
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO stores (store_id, name, first_seen_at) VALUES ({storeId}, {name}, {now})
            ON CONFLICT (store_id) DO UPDATE SET name = COALESCE(stores.name, EXCLUDED.name)
            """, ct);
        known.Add(storeId);
    }
}

/// <summary>The stores this process has already registered.</summary>
public sealed class KnownStores
{
    private readonly ConcurrentDictionary<string, bool> stores = new(StringComparer.Ordinal);

    public bool Contains(string storeId) => stores.ContainsKey(storeId);

    public void Add(string storeId) => stores.TryAdd(storeId, true);
}
