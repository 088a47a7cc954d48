using System.Text.Json;
using FlexyPe.Workflows.Enrollments;
using FlexyPe.Workflows.Events;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FlexyPe.Workflows.Apis;

public sealed record IntakeAnswer(string Status);

/// <summary>What the other services call: normalized events from Ingest, delivery events from Notifier.</summary>
public static class InternalApi
{
    public static RouteGroupBuilder MapInternalApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/internal").RequireAdminApiKey().WithTags("Internal");
        api.MapPost("/events", ReceiveEventAsync).Accepts<JsonElement>("application/json");
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
        WorkflowEvent? e;
        try
        {
            e = JsonSerializer.Deserialize<WorkflowEvent>(json, WorkflowEvent.Json);
        }
        catch (JsonException)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = ["The body is not a normalized event."] });
        }
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(e?.EventId)) errors["event_id"] = ["Required."];
        if (string.IsNullOrWhiteSpace(e?.StoreId)) errors["store_id"] = ["Required."];
        if (string.IsNullOrWhiteSpace(e?.Type)) errors["type"] = ["Required."];
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var result = await intake.HandleAsync(e!, json, ct);
        return TypedResults.Ok(new IntakeAnswer(result == IntakeResult.Duplicate ? "duplicate" : "accepted"));
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
