using System.Diagnostics;
using FlexyPe.Notifier.Composing;
using FlexyPe.Notifier.Infrastructure;
using FlexyPe.Notifier.Model;
using FlexyPe.Notifier.Telemetry;
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

/// <summary>One request of a batch, with the trace context of the step that produced it.</summary>
public sealed record MessageRequestBatchItem(string? TraceParent, MessageRequestBody? Request);

/// <summary>What Workflows' outbox relay posts: up to <see cref="MessageRequestsApi.MaxBatch"/> requests.</summary>
public sealed record MessageRequestBatch(List<MessageRequestBatchItem>? Requests);

/// <summary>What one request of a batch came to: accepted, duplicate (the key was seen before), or invalid (with <see cref="Errors"/>).</summary>
public sealed record MessageRequestBatchResult(string? IdempotencyKey, string Status, Guid? Id = null, IDictionary<string, string[]>? Errors = null);

public sealed record MessageRequestBatchAnswer(IReadOnlyList<MessageRequestBatchResult> Results);

public static class MessageRequestsApi
{
    public static IEndpointRouteBuilder MapMessageRequestsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/message-requests", CreateAsync).RequireAdminApiKey().WithTags("Message requests");
        app.MapPost("/api/message-requests/batch", CreateBatchAsync).RequireAdminApiKey().WithTags("Message requests");
        return app;
    }

    /// <summary>The most requests one <c>POST /api/message-requests/batch</c> takes.</summary>
    public const int MaxBatch = 500;

    /// <summary>
    /// Stores the request (nothing else happens before it is committed) and answers 202; a key seen before answers
    /// 200 with the request it already names, and nothing more is sent.
    /// </summary>
    public static Task<Results<Accepted<MessageRequestAccepted>, Ok<MessageRequestAccepted>, ValidationProblem>> CreateAsync(
        MessageRequestBody body, NotifierDbContext db, MessageComposer composer, TimeProvider time, CancellationToken cancellationToken)
        => CreateOneAsync(body, Activity.Current?.Id, db, composer, time, cancellationToken);

    private static async Task<Results<Accepted<MessageRequestAccepted>, Ok<MessageRequestAccepted>, ValidationProblem>> CreateOneAsync(
        MessageRequestBody body, string? traceParent, NotifierDbContext db, MessageComposer composer, TimeProvider time, CancellationToken cancellationToken)
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

        var request = NewRequest(body, traceParent, composer, time.GetUtcNow());
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

    /// <summary>
    /// Stores a batch of requests (Workflows' outbox relay, docs/hand-offs.md) with one query for the keys already
    /// seen and one insert, and answers for each in order: accepted, duplicate or invalid. A request's trace context is
    /// its item's, so its sending continues the trace of the step that produced it. Should another caller store one of
    /// the same keys meanwhile, the batch is taken again one request at a time.
    /// </summary>
    public static async Task<Results<Ok<MessageRequestBatchAnswer>, ValidationProblem>> CreateBatchAsync(
        MessageRequestBatch body, NotifierDbContext db, MessageComposer composer, TimeProvider time, CancellationToken cancellationToken)
    {
        if (body.Requests is not { Count: > 0 } items)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["requests"] = ["Required: an array of {trace_parent, request}."] });
        }
        if (items.Count > MaxBatch)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["requests"] = [$"At most {MaxBatch} requests per batch."] });
        }

        var results = new MessageRequestBatchResult[items.Count];
        var valid = new List<int>();
        for (var i = 0; i < items.Count; i++)
        {
            var errors = items[i].Request is { } request ? Validate(request) : new() { ["request"] = ["request is required."] };
            if (errors.Count > 0)
            {
                results[i] = new(items[i].Request?.IdempotencyKey, "invalid", Errors: errors);
            }
            else
            {
                valid.Add(i);
            }
        }

        var keys = valid.Select(i => items[i].Request!.IdempotencyKey!).Distinct().ToList();
        var seen = await db.MessageRequests.AsNoTracking()
            .Where(r => keys.Contains(r.IdempotencyKey))
            .ToDictionaryAsync(r => r.IdempotencyKey, r => r.Id, cancellationToken);
        var now = time.GetUtcNow();
        var added = new List<(int Index, MessageRequest Request)>();
        foreach (var i in valid)
        {
            var item = items[i];
            var key = item.Request!.IdempotencyKey!;
            if (seen.TryGetValue(key, out var id))
            {
                results[i] = new(key, "duplicate", id);
                continue;
            }
            var request = NewRequest(item.Request, TraceParentOf(item), composer, now);
            // A span in the trace of the step that produced it (as the single request's server span is): sending goes on from it.
            ActivityContext.TryParse(item.TraceParent, null, out var producedBy);
            using (var activity = NotifierTelemetry.Source.StartActivity("notifier.request", ActivityKind.Consumer, producedBy))
            {
                activity?.SetTag("flexype.message_request.id", request.Id.ToString());
                request.TraceParent = activity?.Id ?? request.TraceParent;
            }
            db.MessageRequests.Add(request);
            added.Add((i, request));
            seen[key] = request.Id;   // the same key again later in this batch is a duplicate of this one
        }
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException refused && (IsUniqueViolation(refused) || IsAboutTheData(refused)))
        {
            // A key stored by another caller since the query above, or a request Postgres will not store (a value it
            // refuses): take each of this batch's new requests on its own, so one cannot hold up the others.
            db.ChangeTracker.Clear();
            foreach (var (index, _) in added)
            {
                results[index] = await CreateAloneAsync(items[index], db, composer, time, cancellationToken);
            }
            return TypedResults.Ok(new MessageRequestBatchAnswer(results));
        }
        foreach (var (index, request) in added)
        {
            results[index] = new(request.IdempotencyKey, "accepted", request.Id);
        }
        return TypedResults.Ok(new MessageRequestBatchAnswer(results));
    }

    private static async Task<MessageRequestBatchResult> CreateAloneAsync(
        MessageRequestBatchItem item, NotifierDbContext db, MessageComposer composer, TimeProvider time, CancellationToken cancellationToken)
    {
        var key = item.Request!.IdempotencyKey;
        try
        {
            var one = await CreateOneAsync(item.Request, TraceParentOf(item), db, composer, time, cancellationToken);
            return one.Result switch
            {
                Accepted<MessageRequestAccepted> accepted => new(key, "accepted", accepted.Value!.Id),
                Ok<MessageRequestAccepted> duplicate => new(key, "duplicate", duplicate.Value!.Id),
                _ => new(key, "invalid"),
            };
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException refused && IsAboutTheData(refused))
        {
            db.ChangeTracker.Clear();
            return new(key, "invalid", Errors: new Dictionary<string, string[]> { ["request"] = [$"could not be stored (SQLSTATE {refused.SqlState})"] });
        }
    }

    private static bool IsUniqueViolation(PostgresException e) => e.SqlState == PostgresErrorCodes.UniqueViolation;

    /// <summary>What Postgres refused about the values themselves (SQLSTATE classes 22 and 54: a NUL character, a value too long).</summary>
    private static bool IsAboutTheData(PostgresException e)
        => e.SqlState.StartsWith("22", StringComparison.Ordinal) || e.SqlState.StartsWith("54", StringComparison.Ordinal);

    /// <summary>The item's trace context when it has a valid one, else this request's.</summary>
    private static string? TraceParentOf(MessageRequestBatchItem item)
        => ActivityContext.TryParse(item.TraceParent, null, out _) ? item.TraceParent : Activity.Current?.Id;

    private static MessageRequest NewRequest(MessageRequestBody body, string? traceParent, MessageComposer composer, DateTimeOffset now) => new()
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
        TraceParent = traceParent,
    };

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
