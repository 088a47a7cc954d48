using FlexyPe.Workflows.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace FlexyPe.Workflows.Apis;

public sealed record ReceivedEventSummary(string StoreId, string EventId, string Type, string? ShopperEmail, DateTimeOffset OccurredAt);

public sealed record ReceivedEventQuery(
    [property: FromQuery(Name = "store_id")] string? StoreId,
    [property: FromQuery(Name = "type")] string? Type,
    [property: FromQuery(Name = "email")] string? Email,
    [property: FromQuery(Name = "limit")] int? Limit);

/// <summary>The events Workflows has taken, newest first: what a preview can be rendered against ("a real recent event").</summary>
public static class ReceivedEventsApi
{
    public static RouteGroupBuilder MapReceivedEventsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/events").RequireAdminApiKey().WithTags("Events");
        api.MapGet("/", ListAsync).WithSummary("Events taken, newest first, by store, type or shopper email.");
        return api;
    }

    public static async Task<Ok<List<ReceivedEventSummary>>> ListAsync([AsParameters] ReceivedEventQuery query, WorkflowsDbContext db, CancellationToken ct)
    {
        var email = query.Email?.Trim().ToLowerInvariant();
        var events = await db.ReceivedEvents.AsNoTracking()
            .Where(e => (query.StoreId == null || e.StoreId == query.StoreId) && (query.Type == null || e.Type == query.Type)
                && (email == null || e.ShopperEmail == email))
            .OrderByDescending(e => e.ReceivedAt)
            .Take(Math.Clamp(query.Limit ?? 20, 1, 200))
            .Select(e => new ReceivedEventSummary(e.StoreId, e.EventId, e.Type, e.ShopperEmail, e.OccurredAt))
            .ToListAsync(ct);
        return TypedResults.Ok(events);
    }
}
