using FlexyPe.Workflows.Events;
using FlexyPe.Workflows.Infrastructure;
using FlexyPe.Workflows.Outbox;
using FlexyPe.Workflows.Sequences;
using FlexyPe.Workflows.Templates;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace FlexyPe.Workflows.Apis;

public sealed record SequenceVersionAdded(SequenceView Sequence, int MigratedEnrollments);
public sealed record PreviewRequest(string? StoreId, string? EventId, int? Version);
public sealed record PreviewView(string Subject, string HtmlBody, string Source);
public sealed record TestSendRequest(string? To, string? StoreId, string? EventId, int? Version);
public sealed record TestSendView(string IdempotencyKey, string Subject);

/// <summary>Sequences for the console and operators: CRUD with validation, versions, preview and test-send of a step.</summary>
public static class SequencesApi
{
    public static RouteGroupBuilder MapSequencesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/sequences").RequireAdminApiKey().WithTags("Sequences");
        api.MapGet("/", ListAsync);
        api.MapGet("/{key}", GetAsync);
        api.MapGet("/{key}/versions", VersionsAsync);
        api.MapGet("/{key}/versions/{version:int}", GetVersionAsync);
        api.MapPost("/", CreateAsync);
        api.MapPut("/{key}", UpdateAsync);
        api.MapDelete("/{key}", DisableAsync);
        api.MapPost("/{key}/steps/{number:int}/preview", PreviewAsync);
        api.MapPost("/{key}/steps/{number:int}/test-send", TestSendAsync);
        return api;
    }

    public static async Task<Ok<List<SequenceView>>> ListAsync(SequenceCatalog catalog, CancellationToken ct)
        => TypedResults.Ok((await catalog.CurrentAsync(ct)).Select(SequenceView.From).ToList());

    public static async Task<Results<Ok<SequenceView>, NotFound>> GetAsync(string key, SequenceCatalog catalog, CancellationToken ct)
        => await catalog.FindAsync(key, null, ct) is { } s ? TypedResults.Ok(SequenceView.From(s)) : TypedResults.NotFound();

    public static async Task<Results<Ok<SequenceView>, NotFound>> GetVersionAsync(string key, int version, SequenceCatalog catalog, CancellationToken ct)
        => await catalog.FindAsync(key, version, ct) is { } s ? TypedResults.Ok(SequenceView.From(s)) : TypedResults.NotFound();

    public static async Task<Ok<List<SequenceView>>> VersionsAsync(string key, WorkflowsDbContext db, CancellationToken ct)
        => TypedResults.Ok((await db.Sequences.Include(s => s.Steps).Where(s => s.Key == key).OrderBy(s => s.Version).ToListAsync(ct))
            .Select(SequenceView.From).ToList());

    public static async Task<Results<Created<SequenceView>, ValidationProblem, Conflict<string>>> CreateAsync(
        SequenceInput input, SequenceCatalog catalog, CancellationToken ct)
    {
        var validation = catalog.Validate(input, creating: true);
        if (!validation.IsValid)
        {
            return Invalid(validation);
        }
        if (await catalog.ExistsAsync(input.Key!, ct))
        {
            return TypedResults.Conflict($"A sequence '{input.Key}' exists; PUT /api/sequences/{input.Key} adds a version.");
        }
        var sequence = await catalog.CreateAsync(input, ct);
        return TypedResults.Created($"/api/sequences/{sequence.Key}", SequenceView.From(sequence));
    }

    /// <summary>Adds a version. In-flight enrollments stay on theirs unless <c>migrate_enrollments</c> is true.</summary>
    public static async Task<Results<Ok<SequenceVersionAdded>, ValidationProblem, NotFound>> UpdateAsync(
        string key, SequenceInput input, SequenceCatalog catalog, CancellationToken ct)
    {
        if (await catalog.FindAsync(key, null, ct) is not { } current)
        {
            return TypedResults.NotFound();
        }
        input = input with { Key = key, Trigger = input.Trigger ?? current.Trigger, ExitRules = input.ExitRules ?? current.ExitRules };
        var validation = catalog.Validate(input, creating: false);
        if (!validation.IsValid)
        {
            return Invalid(validation);
        }
        var (next, migrated) = await catalog.AddVersionAsync(current, input, ct);
        return TypedResults.Ok(new SequenceVersionAdded(SequenceView.From(next), migrated));
    }

    /// <summary>Stops new enrollments; in-flight ones finish.</summary>
    public static async Task<Results<NoContent, NotFound>> DisableAsync(string key, SequenceCatalog catalog, CancellationToken ct)
    {
        if (await catalog.FindAsync(key, null, ct) is null)
        {
            return TypedResults.NotFound();
        }
        await catalog.DisableAsync(key, ct);
        return TypedResults.NoContent();
    }

    /// <summary>Renders a step against a stored event (store_id + event_id) or, without one, the built-in sample.</summary>
    public static async Task<Results<Ok<PreviewView>, NotFound<string>>> PreviewAsync(
        string key, int number, PreviewRequest? request, SequenceCatalog catalog, WorkflowsDbContext db, LiquidTemplates templates, CancellationToken ct)
    {
        var rendered = await RenderAsync(key, number, request?.StoreId, request?.EventId, request?.Version, catalog, db, templates, ct);
        return rendered.Error is { } error ? TypedResults.NotFound(error) : TypedResults.Ok(rendered.Preview!);
    }

    /// <summary>Sends a step, rendered like a preview, to an address through the outbox and Notifier.</summary>
    public static async Task<Results<Accepted<TestSendView>, NotFound<string>, ValidationProblem>> TestSendAsync(
        string key, int number, TestSendRequest request, SequenceCatalog catalog, WorkflowsDbContext db, LiquidTemplates templates,
        OutboxRelay relay, Scheduling.WorkflowClock clock, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.To) || !request.To.Contains('@', StringComparison.Ordinal))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["to"] = ["An email address is required."] });
        }
        var rendered = await RenderAsync(key, number, request.StoreId, request.EventId, request.Version, catalog, db, templates, ct);
        if (rendered.Error is { } error)
        {
            return TypedResults.NotFound(error);
        }
        var idempotencyKey = $"test:{Guid.CreateVersion7()}";
        var message = new MessageRequest(
            idempotencyKey, request.StoreId ?? "test", rendered.StoreName, request.To.Trim(), rendered.Preview!.Subject,
            rendered.Preview.HtmlBody, null,
            new Dictionary<string, string> { ["sequence"] = key, ["step"] = number.ToString(System.Globalization.CultureInfo.InvariantCulture), ["test"] = "true" });
        var id = await OutboxWriter.AddAsync(db, message, clock.Now, ct);
        relay.Enqueue(id is { } value ? [value] : []);
        return TypedResults.Accepted($"/api/sequences/{key}", new TestSendView(idempotencyKey, rendered.Preview.Subject));
    }

    private sealed record Rendered(PreviewView? Preview, string? StoreName, string? Error);

    private static async Task<Rendered> RenderAsync(
        string key, int number, string? storeId, string? eventId, int? version,
        SequenceCatalog catalog, WorkflowsDbContext db, LiquidTemplates templates, CancellationToken ct)
    {
        if (await catalog.FindAsync(key, version, ct) is not { } sequence)
        {
            return new Rendered(null, null, "No such sequence or version.");
        }
        if (sequence.Steps.FirstOrDefault(s => s.Number == number) is not { } step)
        {
            return new Rendered(null, null, "No such step.");
        }
        string eventJson;
        var views = new RecentViews(SampleEvent.ViewedProducts, SampleEvent.ViewedCollections);
        var source = "sample";
        if (storeId is not null && eventId is not null)
        {
            var stored = await db.ReceivedEvents.FirstOrDefaultAsync(r => r.StoreId == storeId && r.EventId == eventId, ct);
            if (stored is null)
            {
                return new Rendered(null, null, "No such stored event.");
            }
            eventJson = stored.Payload;
            source = $"event {eventId}";
            views = await RecentViews.LoadAsync(db, storeId, stored.ShopperEmail, ct);
        }
        else
        {
            eventJson = SampleEvent.Json;
        }
        var model = MessageModel.Build(eventJson, views.Products, views.Collections, step.DiscountCode);
        var subject = (await templates.RenderAsync(step.Subject, model, html: false)).Trim();
        var html = await templates.RenderAsync(step.Template, model, html: true);
        return new Rendered(new PreviewView(subject, html, source), model.GetValueOrDefault("store_name") as string, null);
    }

    private static ValidationProblem Invalid(SequenceValidation validation)
        => TypedResults.ValidationProblem(
            validation.Errors,
            title: "The sequence is not valid.",
            extensions: new Dictionary<string, object?> { ["template_errors"] = validation.TemplateProblems });
}
