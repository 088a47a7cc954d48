using FlexyPe.Notifier.Infrastructure;
using FlexyPe.Notifier.Model;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace FlexyPe.Notifier.Apis;

public sealed record SuppressionBody(string? StoreId, string? Email, string? Reason);

public sealed record SuppressionView(string StoreId, string Email, string Reason, DateTimeOffset CreatedAt);

/// <summary>The addresses each store must not email: list, add, remove.</summary>
public static class SuppressionsApi
{
    public static IEndpointRouteBuilder MapSuppressionsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/suppressions").RequireAdminApiKey().WithTags("Suppressions");
        api.MapGet("/", ListAsync);
        api.MapGet("/{storeId}/{email}", GetAsync);
        api.MapPost("/", AddAsync);
        api.MapDelete("/{storeId}/{email}", RemoveAsync);
        return app;
    }

    public static async Task<Ok<List<SuppressionView>>> ListAsync(
        NotifierDbContext db, string? storeId, string? email, CancellationToken cancellationToken)
    {
        var query = db.Suppressions.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(storeId))
        {
            query = query.Where(s => s.StoreId == storeId);
        }
        if (!string.IsNullOrWhiteSpace(email))
        {
            var normalized = email.Trim().ToLowerInvariant();
            query = query.Where(s => s.Email == normalized);
        }
        var list = await query.OrderByDescending(s => s.CreatedAt).Take(1000)
            .Select(s => new SuppressionView(s.StoreId, s.Email, s.Reason, s.CreatedAt))
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(list);
    }

    public static async Task<Results<Ok<SuppressionView>, NotFound>> GetAsync(
        string storeId, string email, NotifierDbContext db, CancellationToken cancellationToken)
    {
        var normalized = email.Trim().ToLowerInvariant();
        var suppression = await db.Suppressions.AsNoTracking()
            .SingleOrDefaultAsync(s => s.StoreId == storeId && s.Email == normalized, cancellationToken);
        return suppression is null ? TypedResults.NotFound() : TypedResults.Ok(View(suppression));
    }

    public static async Task<Results<Created<SuppressionView>, Ok<SuppressionView>, ValidationProblem>> AddAsync(
        SuppressionBody body, NotifierDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(body.StoreId) || string.IsNullOrWhiteSpace(body.Email) || !body.Email.Contains('@', StringComparison.Ordinal))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["email"] = ["store_id and an email address are required."],
            });
        }

        var email = body.Email.Trim().ToLowerInvariant();
        var existing = await db.Suppressions.AsNoTracking()
            .SingleOrDefaultAsync(s => s.StoreId == body.StoreId && s.Email == email, cancellationToken);
        if (existing is not null)
        {
            return TypedResults.Ok(View(existing));
        }

        var suppression = new Suppression
        {
            StoreId = body.StoreId,
            Email = email,
            Reason = string.IsNullOrWhiteSpace(body.Reason) ? SuppressionReason.Operator : body.Reason,
            CreatedAt = time.GetUtcNow(),
        };
        db.Suppressions.Add(suppression);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/api/suppressions/{Uri.EscapeDataString(suppression.StoreId)}/{Uri.EscapeDataString(email)}", View(suppression));
    }

    public static async Task<Results<NoContent, NotFound>> RemoveAsync(
        string storeId, string email, NotifierDbContext db, CancellationToken cancellationToken)
    {
        var normalized = email.Trim().ToLowerInvariant();
        var removed = await db.Suppressions.Where(s => s.StoreId == storeId && s.Email == normalized).ExecuteDeleteAsync(cancellationToken);
        return removed == 0 ? TypedResults.NotFound() : TypedResults.NoContent();
    }

    private static SuppressionView View(Suppression s) => new(s.StoreId, s.Email, s.Reason, s.CreatedAt);
}
