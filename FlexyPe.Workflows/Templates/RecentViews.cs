using FlexyPe.Workflows.Events;
using FlexyPe.Workflows.Infrastructure;
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
        var stores = shoppers.Select(s => s.StoreId).Distinct().ToArray();
        var emails = shoppers.Select(s => s.Email).Distinct().ToArray();
        // Columns are named as EF's snake_case convention expects for ViewRow.
        var rows = await db.Database.SqlQuery<ViewRow>($"""
            SELECT store_id, shopper_email AS email, type, payload::text AS payload
            FROM (
                SELECT store_id, shopper_email, type, payload,
                       row_number() OVER (PARTITION BY store_id, shopper_email ORDER BY occurred_at DESC) AS newest
                FROM received_events
                WHERE store_id = ANY({stores}) AND shopper_email = ANY({emails})
                  AND type IN ({EventTypes.ProductViewed}, {EventTypes.CollectionViewed})
            ) AS views
            WHERE newest <= {Latest}
            ORDER BY newest
            """).ToListAsync(ct);
        return rows
            .GroupBy(r => (r.StoreId, r.Email))
            .ToDictionary(g => g.Key, g => new RecentViews(
                [.. g.Where(v => v.Type == EventTypes.ProductViewed).Select(v => v.Payload)],
                [.. g.Where(v => v.Type == EventTypes.CollectionViewed).Select(v => v.Payload)]));
    }

    private sealed record ViewRow(string StoreId, string Email, string Type, string Payload);
}
