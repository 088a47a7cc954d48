using System.Diagnostics;
using System.Text.Json;
using FlexyPe.Workflows.Enrollments;
using FlexyPe.Workflows.HandOffs;
using FlexyPe.Workflows.Infrastructure;
using FlexyPe.Workflows.Model;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace FlexyPe.Workflows.Apis;

public sealed record IntakeAnswer(string Status);

/// <summary>What one event of a batch came to: accepted, duplicate, invalid (with <see cref="Errors"/>) or failed (with <see cref="Error"/>).</summary>
public sealed record BatchItemAnswer(string? EventId, string Status, IDictionary<string, string[]>? Errors = null, string? Error = null);

public sealed record BatchAnswer(IReadOnlyList<BatchItemAnswer> Results);

/// <summary>What the other services call: normalized events from Ingest, delivery events from Notifier.</summary>
public static class InternalApi
{
    /// <summary>The most events one <c>POST /internal/events/batch</c> takes.</summary>
    public const int MaxBatch = 500;

    public static RouteGroupBuilder MapInternalApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/internal").RequireAdminApiKey().WithTags("Internal");
        api.MapPost("/events", ReceiveEventAsync).Accepts<JsonElement>("application/json");
        api.MapPost("/events/batch", ReceiveEventBatchAsync).Accepts<JsonElement>("application/json");
        api.MapPost("/delivery-events", ReceiveDeliveryEventAsync);
        return api;
    }

    /// <summary>One normalized event; a repeat of (store_id, event_id) answers 200 and changes nothing.</summary>
    public static async Task<Results<Ok<IntakeAnswer>, ValidationProblem>> ReceiveEventAsync(
        HttpRequest request, EventIntake intake, CancellationToken ct)
    {
        // The raw body is kept as it came: templates and previews read all of it.
        using var reader = new StreamReader(request.Body);
        var json = await reader.ReadToEndAsync(ct);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = ["The body is not a normalized event."] });
        }
        using (document)
        {
            var (e, errors) = Read(document.RootElement);
            if (errors is not null)
            {
                return TypedResults.ValidationProblem(errors);
            }
            var result = await intake.HandleAsync(e!, json, parent: default, ct);
            return TypedResults.Ok(new IntakeAnswer(result == IntakeResult.Duplicate ? "duplicate" : "accepted"));
        }
    }

    /// <summary>
    /// Many normalized events, each <c>{"trace_parent": "00-…", "event": {…}}</c>, taken in order, each continuing its
    /// own trace. The valid ones are taken in one transaction (<see cref="EventIntake.HandleBatchAsync"/>); should the
    /// database refuse one of them, they are taken one by one instead, each in its own transaction. One bad or failing
    /// event does not fail the others: every event gets its own answer, in the order sent (docs/hand-offs.md).
    /// </summary>
    public static async Task<Results<Ok<BatchAnswer>, ValidationProblem>> ReceiveEventBatchAsync(
        HttpRequest request, EventIntake intake, WorkflowsDbContext db, ILoggerFactory loggers, CancellationToken ct)
    {
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(request.Body, cancellationToken: ct);
        }
        catch (JsonException)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = ["The body is not JSON."] });
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("events", out var events) || events.ValueKind != JsonValueKind.Array)
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["events"] = ["Required: an array of {trace_parent, event}."] });
            }
            if (events.GetArrayLength() > MaxBatch)
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["events"] = [$"At most {MaxBatch} events per batch."] });
            }

            var answers = new BatchItemAnswer?[events.GetArrayLength()];
            var valid = new List<(int Index, BatchEvent Event)>(answers.Length);
            foreach (var (item, index) in events.EnumerateArray().Select((item, index) => (item, index)))
            {
                var (e, invalid) = ReadItem(item);
                if (invalid is not null)
                {
                    answers[index] = invalid;
                }
                else
                {
                    valid.Add((index, e!));
                }
            }

            // One connection for the whole batch: its transaction, or each event's, without a trip back to the pool
            // (and Npgsql's reset of the session) between them.
            await db.Database.OpenConnectionAsync(ct);
            try
            {
                var results = valid.Count > 1 ? await intake.HandleBatchAsync([.. valid.Select(v => v.Event)], ct) : null;
                for (var i = 0; i < valid.Count; i++)
                {
                    var (at, e) = valid[i];
                    answers[at] = results is not null
                        ? Answer(e.Event, results[i])
                        : await TakeOneAsync(e, intake, loggers, ct);
                }
            }
            finally
            {
                await db.Database.CloseConnectionAsync();
            }
            return TypedResults.Ok(new BatchAnswer([.. answers.Select(a => a!)]));
        }
    }

    /// <summary>One item of a batch as an event to take, or its answer when it is not one.</summary>
    private static (BatchEvent? Event, BatchItemAnswer? Invalid) ReadItem(JsonElement item)
    {
        if (item.ValueKind != JsonValueKind.Object || !item.TryGetProperty("event", out var body) || body.ValueKind != JsonValueKind.Object)
        {
            return (null, new BatchItemAnswer(null, "invalid", new Dictionary<string, string[]> { ["event"] = ["Required: the normalized event."] }));
        }
        // Read from the batch's own parse; the raw text is what is stored.
        var (e, errors) = Read(body);
        if (errors is not null)
        {
            return (null, new BatchItemAnswer(e?.EventId, "invalid", errors));
        }
        var traceParent = item.TryGetProperty("trace_parent", out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        ActivityContext.TryParse(traceParent, null, out var parent);
        return (new BatchEvent(e!, body.GetRawText(), parent), null);
    }

    private static BatchItemAnswer Answer(WorkflowEvent e, IntakeResult result)
        => new(e.EventId, result == IntakeResult.Duplicate ? "duplicate" : "accepted");

    /// <summary>One event of a batch in its own transaction: a batch of one, or of events not taken as a whole.</summary>
    private static async Task<BatchItemAnswer> TakeOneAsync(BatchEvent item, EventIntake intake, ILoggerFactory loggers, CancellationToken ct)
    {
        var e = item.Event;
        try
        {
            return Answer(e, await intake.HandleAsync(e, item.Json, item.Parent, ct));
        }
        catch (Exception exception) when (StorageRefusals.ContentRefusal(exception) is { } state)
        {
            // The database will never store this event as it is: the sender settles it instead of retrying for ever.
            loggers.CreateLogger(typeof(InternalApi)).LogWarning(
                "Event {EventId} of {Store} in a batch cannot be stored (SQLSTATE {SqlState})", e.EventId, e.StoreId, state);
            return new BatchItemAnswer(e.EventId, "invalid", new Dictionary<string, string[]> { ["event"] = [$"cannot be stored (SQLSTATE {state})"] });
        }
        catch (Exception exception) when (exception is not OperationCanceledException && !MayPass(exception))
        {
            // Not the database or the network: the event's own content broke its handling, and would again (a number
            // out of range, say). Settled by the sender with the reason; the event stays in ingestdb.
            loggers.CreateLogger(typeof(InternalApi)).LogWarning(
                "Event {EventId} of {Store} in a batch cannot be taken: {Error}", e.EventId, e.StoreId, exception.GetType().Name);
            return new BatchItemAnswer(e.EventId, "invalid", new Dictionary<string, string[]> { ["event"] = [$"cannot be taken ({exception.GetType().Name})"] });
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // Left for the sender to retry; the others in the batch go on.
            loggers.CreateLogger(typeof(InternalApi)).LogWarning(
                "Event {EventId} of {Store} in a batch was not taken: {Error}", e.EventId, e.StoreId, exception.GetType().Name);
            return new BatchItemAnswer(e.EventId, "failed", Error: exception.GetType().Name);
        }
    }

    /// <summary>Whether a failure may pass if the event is sent again: the database, the network or a timeout, at any depth.</summary>
    private static bool MayPass(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e is System.Data.Common.DbException or TimeoutException or IOException or System.Net.Sockets.SocketException)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>The event, or what is wrong with it.</summary>
    private static (WorkflowEvent? Event, Dictionary<string, string[]>? Errors) Read(JsonElement json)
    {
        WorkflowEvent? e;
        try
        {
            e = json.Deserialize<WorkflowEvent>(HandOffJson.Options);
        }
        catch (JsonException)
        {
            return (null, new Dictionary<string, string[]> { ["body"] = ["The body is not a normalized event."] });
        }
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(e?.EventId)) errors["event_id"] = ["Required."];
        if (string.IsNullOrWhiteSpace(e?.StoreId)) errors["store_id"] = ["Required."];
        if (string.IsNullOrWhiteSpace(e?.Type)) errors["type"] = ["Required."];
        return (e, errors.Count > 0 ? errors : null);
    }

    /// <summary>One delivery event, keyed on event_id.</summary>
    public static async Task<Results<Ok<IntakeAnswer>, ValidationProblem>> ReceiveDeliveryEventAsync(
        DeliveryEventMessage message, DeliveryFeedback feedback, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(message.EventId)) errors["event_id"] = ["Required."];
        if (string.IsNullOrWhiteSpace(message.StoreId)) errors["store_id"] = ["Required."];
        if (message.Type is null || !DeliveryEventTypes.All.Contains(message.Type))
        {
            errors["type"] = [$"One of {string.Join(", ", DeliveryEventTypes.All)}."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var result = await feedback.HandleAsync(message, ct);
        return TypedResults.Ok(new IntakeAnswer(result == IntakeResult.Duplicate ? "duplicate" : "accepted"));
    }
}
