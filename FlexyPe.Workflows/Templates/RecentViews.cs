using FlexyPe.Workflows.Infrastructure;
using FlexyPe.Workflows.Model;
using Microsoft.EntityFrameworkCore;

namespace FlexyPe.Workflows.Templates;

/// <summary>The shopper's latest product_viewed and collection_viewed events (newest first), for <see cref="MessageModel"/>.</summary>
public sealed record RecentViews(IReadOnlyList<string> Products, IReadOnlyList<string> Collections)
{
    /// <summary>How many of a shopper's latest views a message can show.</summary>
    private const int Latest = 40;

    public static readonly RecentViews None = new([], []);

    public static async Task<RecentViews> LoadAsync(WorkflowsDbContext db, string storeId, string? email, CancellationToken ct)
        => email is null
            ? None
            : (await LoadAsync(db, [(storeId, email)], ct)).GetValueOrDefault((storeId, email), None);

    /// <summary>The recent views of many shoppers in one query (a batch of due steps).</summary>
    public static async Task<Dictionary<(string StoreId, string Email), RecentViews>> LoadAsync(
        WorkflowsDbContext db, IReadOnlyCollection<(string StoreId, string Email)> shoppers, CancellationToken ct)
    {
        if (shoppers.Count == 0)
        {
            return [];
        }
        var pairs = shoppers.Distinct().ToArray();
        var stores = pairs.Select(s => s.StoreId).ToArray();
        var emails = pairs.Select(s => s.Email).ToArray();
        // Each shopper's newest views through the (store, email, type, occurred_at) index, newest first. Columns are
        // named as EF's snake_case convention expects for ViewRow.
        var rows = await db.Database.SqlQuery<ViewRow>($"""
            SELECT shopper.store_id, shopper.email, view.type, view.payload::text AS payload
            FROM unnest({stores}, {emails}) WITH ORDINALITY AS shopper(store_id, email, n)
            CROSS JOIN LATERAL (
                SELECT r.type, r.payload, r.occurred_at FROM received_events r
                WHERE r.store_id = shopper.store_id AND r.shopper_email = shopper.email
                  AND r.type IN ({EventTypes.ProductViewed}, {EventTypes.CollectionViewed})
                ORDER BY r.occurred_at DESC
                LIMIT {Latest}
            ) AS view
            ORDER BY shopper.n, view.occurred_at DESC
            """).ToListAsync(ct);
        return rows
            .GroupBy(r => (r.StoreId, r.Email))
            .ToDictionary(g => g.Key, g => new RecentViews(
                [.. g.Where(v => v.Type == EventTypes.ProductViewed).Select(v => v.Payload)],
                [.. g.Where(v => v.Type == EventTypes.CollectionViewed).Select(v => v.Payload)]));
    }

    private sealed record ViewRow(string StoreId, string Email, string Type, string Payload);
}
