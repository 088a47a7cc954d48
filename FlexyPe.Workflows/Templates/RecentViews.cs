using FlexyPe.Workflows.Events;
using FlexyPe.Workflows.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace FlexyPe.Workflows.Templates;

/// <summary>The shopper's latest product_viewed and collection_viewed events (newest first), for <see cref="MessageModel"/>.</summary>
public sealed record RecentViews(IReadOnlyList<string> Products, IReadOnlyList<string> Collections)
{
    public static async Task<RecentViews> LoadAsync(WorkflowsDbContext db, string storeId, string? email, CancellationToken ct)
    {
        if (email is null)
        {
            return new RecentViews([], []);
        }
        var views = await db.ReceivedEvents
            .Where(r => r.StoreId == storeId && r.ShopperEmail == email
                && (r.Type == EventTypes.ProductViewed || r.Type == EventTypes.CollectionViewed))
            .OrderByDescending(r => r.OccurredAt)
            .Take(40)
            .Select(r => new { r.Type, r.Payload })
            .ToListAsync(ct);
        return new RecentViews(
            [.. views.Where(v => v.Type == EventTypes.ProductViewed).Select(v => v.Payload)],
            [.. views.Where(v => v.Type == EventTypes.CollectionViewed).Select(v => v.Payload)]);
    }
}
