using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using FlexyPe.Workflows.Infrastructure;
using FlexyPe.Workflows.Model;
using Microsoft.EntityFrameworkCore;

namespace FlexyPe.Workflows.Uplift;

/// <summary>
/// An enrollment's <see cref="RecoveryFeatures"/> as kept in <c>enrollments.features</c> (jsonb, snake_case, with
/// <c>schema_version</c>), and the shopper's history they are built from.
/// </summary>
public static class EnrollmentFeatures
{
    private const string SchemaVersionField = "schema_version";

    // Named literals ("NaN") round-trip, so a value that is not a number is kept as such and left out of training
    // with a reason, instead of failing the row.
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals | JsonNumberHandling.AllowReadingFromString,
    };

    public static string Serialize(RecoveryFeatures features)
    {
        var node = JsonSerializer.SerializeToNode(features, Json)!.AsObject();
        node.Insert(0, SchemaVersionField, RecoveryFeatures.SchemaVersion);
        return node.ToJsonString();
    }

    /// <summary>
    /// The stored features; null when there are none. Features of another schema, or that cannot be read, come back
    /// as <see cref="Unreadable"/>: every field NaN, so the model never scores them and training counts them out.
    /// </summary>
    public static RecoveryFeatures? Read(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return null;
        }
        try
        {
            var node = JsonNode.Parse(json)?.AsObject();
            if (node is null || node[SchemaVersionField]?.GetValue<int>() != RecoveryFeatures.SchemaVersion)
            {
                return Unreadable;
            }
            return node.Deserialize<RecoveryFeatures>(Json) ?? Unreadable;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            return Unreadable;
        }
    }

    /// <summary>Features that are not numbers: what an unreadable row becomes.</summary>
    public static readonly RecoveryFeatures Unreadable = new() { SessionState = float.NaN };

    /// <summary>
    /// What the store knows of the shopper before <paramref name="before"/>: purchases (completed checkouts it was told
    /// of), recoveries credited to its messages, discounts offered, and product or collection views. One query.
    /// <paramref name="notYet"/>: events stored already that count as not received yet (later ones of a hand-off batch).
    /// </summary>
    public static async Task<ShopperHistory> HistoryAsync(
        WorkflowsDbContext db, string storeId, string? email, DateTimeOffset before, string[] notYet, CancellationToken ct)
    {
        if (email is null)
        {
            return ShopperHistory.None;
        }
        var row = await db.Database.SqlQuery<HistoryRow>($"""
            SELECT
              (SELECT count(*)::int FROM received_events r
                WHERE r.store_id = {storeId} AND r.shopper_email = {email} AND r.type = {EventTypes.AbandonedCheckout}
                  AND r.occurred_at < {before} AND r.payload -> 'checkout' ->> 'session_state' = {SessionStates.Completed}
                  AND r.event_id <> ALL({notYet})) AS purchases,
              (SELECT count(*)::int FROM recoveries c JOIN enrollments e ON e.id = c.enrollment_id
                WHERE e.store_id = {storeId} AND e.shopper_email = {email} AND c.recovered_at < {before}) AS recoveries,
              (SELECT count(*)::int FROM scheduled_steps s JOIN enrollments e ON e.id = s.enrollment_id
                WHERE e.store_id = {storeId} AND e.shopper_email = {email} AND s.discount_offered AND s.fired_at < {before}) AS discounts,
              (SELECT count(*)::int FROM received_events r
                WHERE r.store_id = {storeId} AND r.shopper_email = {email}
                  AND r.type IN ({EventTypes.ProductViewed}, {EventTypes.CollectionViewed}) AND r.occurred_at <= {before}
                  AND r.event_id <> ALL({notYet})) AS views
            """).SingleAsync(ct);
        return new ShopperHistory(row.Purchases, row.Recoveries, row.Discounts, row.Views);
    }

    private sealed record HistoryRow(int Purchases, int Recoveries, int Discounts, int Views);
}
