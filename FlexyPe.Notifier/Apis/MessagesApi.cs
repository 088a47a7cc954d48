using FlexyPe.Notifier.Composing;
using FlexyPe.Notifier.Infrastructure;
using FlexyPe.Notifier.Model;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using MimeKit;

namespace FlexyPe.Notifier.Apis;

public sealed record MessageSummary(
    Guid Id, string IdempotencyKey, string StoreId, string To, string Subject, string Status,
    int AttemptCount, DateTimeOffset CreatedAt, DateTimeOffset? ClaimedAt, DateTimeOffset? CompletedAt, string? LastSmtpReply);

public sealed record MessageHeader(string Name, string Value);

public sealed record AttemptView(DateTimeOffset AttemptedAt, string Outcome, string? SmtpReply, string Worker);

public sealed record MessageDetail(
    MessageSummary Message,
    string MessageId,
    Dictionary<string, string> Tags,
    IReadOnlyList<MessageHeader> Headers,
    string? HtmlBody,
    string? TextBody,
    IReadOnlyList<AttemptView> Attempts);

/// <summary>The operators' view of what was sent, what failed and why, and a way to send a dead letter again.</summary>
public static class MessagesApi
{
    public static IEndpointRouteBuilder MapMessagesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/messages").RequireAdminApiKey().WithTags("Messages");
        api.MapGet("/", ListAsync);
        api.MapGet("/{id:guid}", GetAsync);
        api.MapPost("/{id:guid}/resend", ResendAsync);
        return app;
    }

    public static async Task<Results<Ok<List<MessageSummary>>, ValidationProblem>> ListAsync(
        NotifierDbContext db, string? to, string? status, CancellationToken cancellationToken, int limit = 100)
    {
        if (status is not null && !MessageStatus.All.Contains(status))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["status"] = [$"status is one of {string.Join(", ", MessageStatus.All)}."],
            });
        }

        var query = db.MessageRequests.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(to))
        {
            var email = to.Trim().ToLowerInvariant();
            query = query.Where(r => r.To.ToLower() == email);
        }
        if (status is not null)
        {
            query = query.Where(r => r.Status == status);
        }

        var messages = await query.OrderByDescending(r => r.CreatedAt).Take(Math.Clamp(limit, 1, 1000))
            .Select(r => new MessageSummary(r.Id, r.IdempotencyKey, r.StoreId, r.To, r.Subject, r.Status,
                r.AttemptCount, r.CreatedAt, r.ClaimedAt, r.CompletedAt, r.LastSmtpReply))
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(messages);
    }

    /// <summary>Headers and bodies as sent (or as they will be sent, while pending), and every attempt's SMTP reply.</summary>
    public static async Task<Results<Ok<MessageDetail>, NotFound>> GetAsync(
        Guid id, NotifierDbContext db, MessageComposer composer, CancellationToken cancellationToken)
    {
        var request = await db.MessageRequests.AsNoTracking().Include(r => r.Attempts)
            .SingleOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (request is null)
        {
            return TypedResults.NotFound();
        }

        var mime = request.Mime is null
            ? composer.Compose(request)
            : await MimeMessage.LoadAsync(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(request.Mime)), cancellationToken);

        return TypedResults.Ok(new MessageDetail(
            Summary(request),
            request.MessageId,
            request.Tags,
            mime.Headers.Select(h => new MessageHeader(h.Field, h.Value)).ToList(),
            mime.HtmlBody,
            mime.TextBody,
            request.Attempts.OrderBy(a => a.AttemptedAt)
                .Select(a => new AttemptView(a.AttemptedAt, a.Outcome, a.SmtpReply, a.Worker)).ToList()));
    }

    /// <summary>Puts a dead letter back in the queue. It still goes through the suppression check.</summary>
    public static async Task<Results<Accepted<MessageSummary>, NotFound, ProblemHttpResult>> ResendAsync(
        Guid id, NotifierDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var request = await db.MessageRequests.SingleOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (request is null)
        {
            return TypedResults.NotFound();
        }
        if (request.Status != MessageStatus.DeadLettered)
        {
            return TypedResults.Problem(title: "Not a dead letter", detail: $"Only dead-lettered messages can be resent; this one is {request.Status}.",
                statusCode: StatusCodes.Status409Conflict);
        }

        request.Status = MessageStatus.Pending;
        request.AttemptCount = 0;
        request.CompletedAt = null;
        request.NextAttemptAt = time.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Accepted($"/api/messages/{request.Id}", Summary(request));
    }

    private static MessageSummary Summary(MessageRequest r) => new(
        r.Id, r.IdempotencyKey, r.StoreId, r.To, r.Subject, r.Status, r.AttemptCount, r.CreatedAt, r.ClaimedAt, r.CompletedAt, r.LastSmtpReply);
}
