using System.Diagnostics;
using System.Globalization;
using FlexyPe.Workflows.HandOffs;
using FlexyPe.Workflows.Infrastructure;
using FlexyPe.Workflows.Model;
using FlexyPe.Workflows.Sequences;
using FlexyPe.Workflows.Templates;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace FlexyPe.Workflows.Apis;

public sealed record SequenceVersionAdded(SequenceView Sequence, int MigratedEnrollments);
public sealed record PreviewRequest(string? StoreId, string? EventId, int? Version);
public sealed record PreviewView(string Subject, string? PreviewText, string HtmlBody, string Source);
public sealed record TestSendRequest(string? To, string? StoreId, string? EventId, int? Version);
public sealed record TestSendView(string IdempotencyKey, string Subject);
public sealed record DraftPreviewRequest(string? Trigger, StepDraft? Step, int? StepNumber, string? StoreId, string? EventId);
public sealed record DraftTestSendRequest(string? To, string? Trigger, StepDraft? Step, string? StoreId, string? EventId);

/// <summary>Sequences for the console and operators: CRUD with validation, versions, preview and test-send of a step.</summary>
public static class SequencesApi
{
    public static RouteGroupBuilder MapSequencesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/sequences").RequireAdminApiKey().WithTags("Sequences");
        api.MapGet("/", ListAsync);
        api.MapGet("/{key}", GetAsync);
        api.MapGet("/{key}/versions", VersionsAsync).WithSummary("Every version, with who made it and how many active enrollments are on it.");
        api.MapGet("/{key}/versions/{version:int}", GetVersionAsync);
        api.MapPost("/", CreateAsync);
        api.MapPut("/{key}", UpdateAsync);
        api.MapDelete("/{key}", DisableAsync);
        api.MapPost("/{key}/steps/{number:int}/preview", PreviewAsync);
        api.MapPost("/{key}/steps/{number:int}/test-send", TestSendAsync);

        var drafts = app.MapGroup("/api/previews").RequireAdminApiKey().WithTags("Sequences");
        drafts.MapPost("/", PreviewDraftAsync).WithSummary("Renders an unsaved step (the console's live preview).");
        drafts.MapPost("/test-send", TestSendDraftAsync).WithSummary("Sends an unsaved step to an address.");
        return api;
    }

    public static async Task<Ok<List<SequenceView>>> ListAsync(SequenceCatalog catalog, CancellationToken ct)
        => TypedResults.Ok((await catalog.CurrentAsync(ct)).Select(s => SequenceView.From(s)).ToList());

    public static async Task<Results<Ok<SequenceView>, NotFound>> GetAsync(string key, SequenceCatalog catalog, CancellationToken ct)
        => await catalog.FindAsync(key, null, ct) is { } s ? TypedResults.Ok(SequenceView.From(s)) : TypedResults.NotFound();

    public static async Task<Results<Ok<SequenceView>, NotFound>> GetVersionAsync(string key, int version, SequenceCatalog catalog, CancellationToken ct)
        => await catalog.FindAsync(key, version, ct) is { } s ? TypedResults.Ok(SequenceView.From(s)) : TypedResults.NotFound();

    public static async Task<Ok<List<SequenceView>>> VersionsAsync(string key, WorkflowsDbContext db, CancellationToken ct)
    {
        var versions = await db.Sequences.Include(s => s.Steps).Where(s => s.Key == key).OrderBy(s => s.Version).ToListAsync(ct);
        var ids = versions.Select(v => v.Id).ToList();
        var active = await db.Enrollments
            .Where(e => ids.Contains(e.SequenceId) && e.State == EnrollmentStates.Active)
            .GroupBy(e => e.SequenceId)
            .Select(g => new { g.Key, Count = g.Count() })
            .ToDictionaryAsync(x => x.Key, x => x.Count, ct);
        return TypedResults.Ok(versions.Select(v => SequenceView.From(v, active.GetValueOrDefault(v.Id))).ToList());
    }

    public static async Task<Results<Created<SequenceView>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        SequenceInput input, HttpRequest request, SequenceCatalog catalog, CancellationToken ct)
    {
        var validation = catalog.Validate(input, creating: true);
        if (!validation.IsValid)
        {
            return Invalid(validation);
        }
        if (await catalog.ExistsAsync(input.Key!, ct))
        {
            return TypedResults.Problem(title: "The sequence exists", detail: $"A sequence '{input.Key}' exists; PUT /api/sequences/{input.Key} adds a version.",
                statusCode: StatusCodes.Status409Conflict);
        }
        var sequence = await catalog.CreateAsync(input, Actor.Of(request), ct);
        return TypedResults.Created($"/api/sequences/{sequence.Key}", SequenceView.From(sequence));
    }

    /// <summary>Adds a version. In-flight enrollments stay on theirs unless <c>migrate_enrollments</c> is true.</summary>
    public static async Task<Results<Ok<SequenceVersionAdded>, ValidationProblem, NotFound>> UpdateAsync(
        string key, SequenceInput input, HttpRequest request, SequenceCatalog catalog, CancellationToken ct)
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
        var (next, migrated) = await catalog.AddVersionAsync(current, input, Actor.Of(request), ct);
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

    /// <summary>Renders a saved step against a stored event (store_id + event_id) or, without one, the trigger's built-in sample.</summary>
    public static async Task<Results<Ok<PreviewView>, ProblemHttpResult, ValidationProblem>> PreviewAsync(
        string key, int number, PreviewRequest? request, SequenceCatalog catalog, StepPreviews previews, CancellationToken ct)
    {
        if (await FindStepAsync(catalog, key, number, request?.Version, ct) is not ({ } sequence, { } step))
        {
            return NotFound("No such sequence, version or step.");
        }
        var outcome = await previews.RenderAsync(StepDraft.Of(step), number, sequence.Trigger, request?.StoreId, request?.EventId, ct);
        return Answer(outcome, r => TypedResults.Ok(View(r)));
    }

    /// <summary>Sends a saved step, rendered like a preview, to an address through the outbox and Notifier.</summary>
    public static async Task<Results<Accepted<TestSendView>, ProblemHttpResult, ValidationProblem>> TestSendAsync(
        string key, int number, TestSendRequest request, SequenceCatalog catalog, StepPreviews previews, WorkflowsDbContext db,
        CancellationToken ct)
    {
        if (TestSendAddress(request.To) is { } invalid)
        {
            return invalid;
        }
        if (await FindStepAsync(catalog, key, number, request.Version, ct) is not ({ } sequence, { } step))
        {
            return NotFound("No such sequence, version or step.");
        }
        var outcome = await previews.RenderAsync(StepDraft.Of(step), number, sequence.Trigger, request.StoreId, request.EventId, ct);
        return await SendAsync(outcome, request.To!, key, number, db, ct);
    }

    /// <summary>Renders an unsaved step as the marketer types it: template problems come back at their line and column.</summary>
    public static async Task<Results<Ok<PreviewView>, ProblemHttpResult, ValidationProblem>> PreviewDraftAsync(
        DraftPreviewRequest request, StepPreviews previews, CancellationToken ct)
    {
        var outcome = await previews.RenderAsync(request.Step ?? new StepDraft(null, null, null, null), request.StepNumber ?? 1,
            request.Trigger, request.StoreId, request.EventId, ct);
        return Answer(outcome, r => TypedResults.Ok(View(r)));
    }

    /// <summary>Sends an unsaved step to an address, rendered as the draft preview shows it.</summary>
    public static async Task<Results<Accepted<TestSendView>, ProblemHttpResult, ValidationProblem>> TestSendDraftAsync(
        DraftTestSendRequest request, StepPreviews previews, WorkflowsDbContext db, CancellationToken ct)
    {
        if (TestSendAddress(request.To) is { } invalid)
        {
            return invalid;
        }
        var outcome = await previews.RenderAsync(request.Step ?? new StepDraft(null, null, null, null), 1, request.Trigger, request.StoreId, request.EventId, ct);
        return await SendAsync(outcome, request.To!, "draft", 1, db, ct);
    }

    private static async Task<(Sequence?, SequenceStep?)> FindStepAsync(SequenceCatalog catalog, string key, int number, int? version, CancellationToken ct)
        => await catalog.FindAsync(key, version, ct) is { } sequence ? (sequence, sequence.Steps.FirstOrDefault(s => s.Number == number)) : (null, null);

    private static ValidationProblem? TestSendAddress(string? to)
        => !string.IsNullOrWhiteSpace(to) && System.Net.Mail.MailAddress.TryCreate(to.Trim(), out var address) && address.Address == to.Trim()
            ? null
            : TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["to"] = [$"'{to}' is not an email address."] });

    private static async Task<Results<Accepted<TestSendView>, ProblemHttpResult, ValidationProblem>> SendAsync(
        PreviewOutcome outcome, string to, string key, int number, WorkflowsDbContext db, CancellationToken ct)
    {
        if (outcome.Rendered is not { } rendered)
        {
            return Answer<Accepted<TestSendView>>(outcome, _ => throw new UnreachableException());
        }
        var idempotencyKey = $"test:{Guid.CreateVersion7()}";
        var message = new MessageRequest(
            idempotencyKey, rendered.StoreId, rendered.Store.Brand.Name, to.Trim(), rendered.Subject, rendered.HtmlBody, null,
            new Dictionary<string, string> { ["sequence"] = key, ["step"] = number.ToString(CultureInfo.InvariantCulture), ["test"] = "true" },
            rendered.Store.From, rendered.Store.ReplyTo, rendered.Store.ClickTracking);
        await OutboxWriter.AddAsync(db, message, ct);
        return TypedResults.Accepted($"/api/sequences/{key}", new TestSendView(idempotencyKey, rendered.Subject));
    }

    private static Results<T, ProblemHttpResult, ValidationProblem> Answer<T>(PreviewOutcome outcome, Func<RenderedStep, T> rendered)
        where T : IResult
    {
        if (outcome.NotFound is { } missing)
        {
            return NotFound(missing);
        }
        if (outcome.Rendered is null)
        {
            return Invalid(new SequenceValidation(
                outcome.Problems.ToDictionary(p => p.Field, p => new[] { p.Line is null ? p.Message : $"Line {p.Line}, column {p.Column}: {p.Message}" }),
                [.. outcome.Problems]));
        }
        return rendered(outcome.Rendered);
    }

    private static ProblemHttpResult NotFound(string detail) => TypedResults.Problem(title: "Not found", detail: detail, statusCode: StatusCodes.Status404NotFound);

    private static PreviewView View(RenderedStep r) => new(r.Subject, r.PreviewText, r.HtmlBody, r.Source);

    private static ValidationProblem Invalid(SequenceValidation validation)
        => TypedResults.ValidationProblem(
            validation.Errors,
            title: "The sequence is not valid.",
            extensions: new Dictionary<string, object?> { ["template_errors"] = validation.TemplateProblems });
}
