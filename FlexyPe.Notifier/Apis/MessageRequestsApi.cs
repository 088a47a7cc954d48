using System.Diagnostics;
using FlexyPe.Notifier.Composing;
using FlexyPe.Notifier.Infrastructure;
using FlexyPe.Notifier.Model;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using MimeKit;
using Npgsql;

namespace FlexyPe.Notifier.Apis;

/// <summary>What Workflows posts for each due step (docs/hand-offs.md).</summary>
public sealed record MessageRequestBody(
    string? IdempotencyKey,
    string? StoreId,
    string? StoreName,
    string? To,
    string? Subject,
    string? HtmlBody,
    string? TextBody,
    Dictionary<string, string>? Tags,
    string? From = null,
    string? ReplyTo = null,
    bool TrackClicks = false);

public sealed record MessageRequestAccepted(Guid Id, string IdempotencyKey, string Status);

public static class MessageRequestsApi
{
    public static IEndpointRouteBuilder MapMessageRequestsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/message-requests", CreateAsync).RequireAdminApiKey().WithTags("Message requests");
        return app;
    }

    /// <summary>
    /// Stores the request (nothing else happens before it is committed) and answers 202; a key seen before answers
    /// 200 with the request it already names, and nothing more is sent.
    /// </summary>
    public static async Task<Results<Accepted<MessageRequestAccepted>, Ok<MessageRequestAccepted>, ValidationProblem>> CreateAsync(
        MessageRequestBody body, NotifierDbContext db, MessageComposer composer, TimeProvider time, CancellationToken cancellationToken)
    {
        var errors = Validate(body);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var existing = await FindAsync(db, body.IdempotencyKey!, cancellationToken);
        if (existing is not null)
        {
            return TypedResults.Ok(existing);
        }

        var now = time.GetUtcNow();
        var request = new MessageRequest
        {
            Id = Guid.CreateVersion7(),
            IdempotencyKey = body.IdempotencyKey!,
            StoreId = body.StoreId!,
            StoreName = body.StoreName,
            To = body.To!.Trim(),
            Subject = body.Subject!,
            HtmlBody = body.HtmlBody!,
            TextBody = body.TextBody,
            Tags = body.Tags ?? [],
            From = string.IsNullOrWhiteSpace(body.From) ? null : body.From.Trim(),
            ReplyTo = string.IsNullOrWhiteSpace(body.ReplyTo) ? null : body.ReplyTo.Trim(),
            TrackClicks = body.TrackClicks,
            CreatedAt = now,
            NextAttemptAt = now,
            MessageId = composer.MessageIdFor(body.StoreId!, body.IdempotencyKey!, body.From),
            TraceParent = Activity.Current?.Id,
        };
        db.MessageRequests.Add(request);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            // The same key, posted twice at once: the other one won.
            db.ChangeTracker.Clear();
            return TypedResults.Ok((await FindAsync(db, body.IdempotencyKey!, cancellationToken))!);
        }

        return TypedResults.Accepted($"/api/messages/{request.Id}", new MessageRequestAccepted(request.Id, request.IdempotencyKey, request.Status));
    }

    private static async Task<MessageRequestAccepted?> FindAsync(NotifierDbContext db, string key, CancellationToken cancellationToken)
        => await db.MessageRequests.AsNoTracking()
            .Where(r => r.IdempotencyKey == key)
            .Select(r => new MessageRequestAccepted(r.Id, r.IdempotencyKey, r.Status))
            .SingleOrDefaultAsync(cancellationToken);

    private static Dictionary<string, string[]> Validate(MessageRequestBody body)
    {
        var errors = new Dictionary<string, string[]>();
        void Require(string? value, string name)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                errors[name] = [$"{name} is required."];
            }
        }

        Require(body.IdempotencyKey, "idempotency_key");
        Require(body.StoreId, "store_id");
        Require(body.To, "to");
        Require(body.Subject, "subject");
        Require(body.HtmlBody, "html_body");
        if (!string.IsNullOrWhiteSpace(body.To)
            && (!MailboxAddress.TryParse(body.To.Trim(), out var address) || !address.Address.Contains('@', StringComparison.Ordinal)))
        {
            errors["to"] = ["to is not an email address."];
        }
        if (!string.IsNullOrWhiteSpace(body.From) && !MailboxAddress.TryParse(body.From.Trim(), out _))
        {
            errors["from"] = ["from is not a mailbox (Name <address>)."];
        }
        if (!string.IsNullOrWhiteSpace(body.ReplyTo) && !MailboxAddress.TryParse(body.ReplyTo.Trim(), out _))
        {
            errors["reply_to"] = ["reply_to is not an email address."];
        }
        return errors;
    }
}
