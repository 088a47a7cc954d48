using FlexyPe.Workflows.Assistant;
using FlexyPe.Workflows.Infrastructure;
using FlexyPe.Workflows.Model;
using FlexyPe.Workflows.Stores;
using FlexyPe.Workflows.Variants;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace FlexyPe.Workflows.Apis;

/// <summary>The assistant's state, and for a store what it has spent today.</summary>
public sealed record AssistantStatusView(
    string State, string Detail, string? Model, string? Endpoint, string PromptVersion, long DailyTokenBudgetPerStore,
    string? StoreId = null, long? StoreDailyTokenBudget = null, long? StoreTokensUsedToday = null);

public sealed record ProposeVariantsRequest(string? StoreId, string? Intent, int? Count);

/// <summary>A step's arm in its variant test: sends, attributed recoveries and revenue, and the test's verdict (null until first rolled up).</summary>
public sealed record VariantResultView(
    long Sends, long Recoveries, decimal Revenue, decimal RevenuePerSend, double? ProbabilityBest, double? ProbabilityWorse, string State);

public sealed record CopyVariantView(
    Guid Id, string Subject, string PreviewText, string Opening, string State, DateTimeOffset ProposedAt, string? StoreId,
    string? DecidedBy, DateTimeOffset? DecidedAt, VariantResultView? Result);

public sealed record ProposalView(string Outcome, Guid CallId, string? Model, long InputTokens, long OutputTokens,
    IReadOnlyList<CopyVariantView> Variants, IReadOnlyList<DroppedVariant> Dropped);

/// <summary>A step's variants and its own copy's part in the test (when it has approved variants).</summary>
public sealed record StepVariantsView(string SequenceKey, int Step, VariantResultView? OwnCopy, IReadOnlyList<CopyVariantView> Variants);

public sealed record ProposeQuery([property: FromQuery(Name = "store_id")] string? StoreId);

/// <summary>
/// The copy assistant at authoring time (docs/assistance.md): its status, variants proposed for a step (guardrails
/// applied, the call audited), a person's approval or rejection (nothing generated is sent before it), and each
/// variant's results in the step's variant test.
/// </summary>
public static class AssistantApi
{
    private const int MaxIntentLength = 500;

    public static void MapAssistantApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/assistant").RequireAdminApiKey().WithTags("Assistant")
            .MapGet("/status", StatusAsync).WithSummary("On, off (no 'ai' connection string) or paused; a store's tokens used today.");

        var steps = app.MapGroup("/api/sequences/{key}/steps/{number:int}").RequireAdminApiKey().WithTags("Assistant");
        steps.MapPost("/assistant/variants", ProposeAsync).WithSummary("Asks the assistant for subject, preview-text and opening variants of the step.");
        steps.MapGet("/variants", ListAsync).WithSummary("The step's variants, with their results in its variant test.");
        steps.MapPost("/variants/{id:guid}/approve", (string key, int number, Guid id, HttpRequest request, WorkflowsDbContext db, TimeProvider time, CancellationToken ct)
            => DecideAsync(key, number, id, CopyVariantStates.Approved, request, db, time, ct)).WithSummary("Approves a proposed variant: it takes part in the step's variant test.");
        steps.MapPost("/variants/{id:guid}/reject", (string key, int number, Guid id, HttpRequest request, WorkflowsDbContext db, TimeProvider time, CancellationToken ct)
            => DecideAsync(key, number, id, CopyVariantStates.Rejected, request, db, time, ct)).WithSummary("Rejects a proposed variant: it is never sent.");
    }

    public static async Task<Results<Ok<AssistantStatusView>, ProblemHttpResult>> StatusAsync(
        [AsParameters] ProposeQuery query, CopyAssistant assistant, WorkflowsDbContext db, StoreSettingsCatalog stores,
        AssistantCallStore calls, IOptions<AssistantOptions> options, TimeProvider time, CancellationToken ct)
    {
        var status = assistant.Status();
        var view = new AssistantStatusView(status.State, status.Detail, status.Model, status.Endpoint, status.PromptVersion, status.DailyTokenBudgetPerStore);
        if (query.StoreId is not { } storeId)
        {
            return TypedResults.Ok(view);
        }
        if (!await db.Stores.AnyAsync(s => s.StoreId == storeId, ct))
        {
            return StoresApi.UnknownStore(storeId);
        }
        var limit = (await stores.ForStoreAsync(storeId, ct)).Voice.DailyTokenBudget ?? options.Value.DailyTokenBudgetPerStore;
        var now = time.GetUtcNow();
        var budget = new DailyTokenBudget(limit).For(storeId, await calls.CallsSinceAsync(storeId, DayStart(now), ct), now);
        return TypedResults.Ok(view with { StoreId = storeId, StoreDailyTokenBudget = limit, StoreTokensUsedToday = budget.Used });
    }

    /// <summary>
    /// 200 with the kept variants (proposed) and the dropped ones with their reasons; 503 when the assistant is off,
    /// paused, timed out or rate limited, 429 when the store's budget for today is spent, 502 when the model failed or
    /// answered outside the schema. Every call is audited, whatever its outcome.
    /// </summary>
    public static async Task<Results<Ok<ProposalView>, ValidationProblem, ProblemHttpResult>> ProposeAsync(
        string key, int number, ProposeVariantsRequest input, HttpRequest request, HttpResponse response, WorkflowsDbContext db,
        StoreSettingsCatalog stores, CopyAssistant assistant, AssistantCallStore calls, IOptions<AssistantOptions> options,
        TimeProvider time, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(input.StoreId))
        {
            errors["store_id"] = ["The store whose brand voice, banned phrases and budget apply is required."];
        }
        if (string.IsNullOrWhiteSpace(input.Intent) || input.Intent.Trim().Length > MaxIntentLength)
        {
            errors["intent"] = [$"What the step is for is required, at most {MaxIntentLength} characters: {string.Join(", ", StepIntents.All)} or your own words."];
        }
        var count = input.Count ?? 3;
        if (count < 1 || count > options.Value.MaxVariants)
        {
            errors["count"] = [$"Ask for 1 to {options.Value.MaxVariants} variants."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "No variants were asked for.");
        }
        var storeId = input.StoreId!.Trim();
        var sequence = await db.Sequences.AsNoTracking().Include(s => s.Steps).FirstOrDefaultAsync(s => s.Key == key && s.IsCurrent, ct);
        if (sequence?.Steps.FirstOrDefault(s => s.Number == number) is not { } step)
        {
            return NotFound($"No step {number} in a sequence '{key}'.");
        }
        if (!await db.Stores.AnyAsync(s => s.StoreId == storeId, ct))
        {
            return StoresApi.UnknownStore(storeId);
        }

        var voice = (await stores.ForStoreAsync(storeId, ct)).Voice;
        var hasDiscount = step.DiscountCode is not null;
        var brief = new CopyBrief(storeId, key, sequence.Trigger, number, sequence.Steps.Count, hasDiscount, input.Intent!.Trim(),
            new BrandVoice(voice.Language, voice.BrandVoice), CopyVariables.For(hasDiscount), voice.BannedPhrases, count);
        var now = time.GetUtcNow();
        var today = await calls.CallsSinceAsync(storeId, DayStart(now), ct);
        var proposal = await assistant.ProposeAsync(brief, today, ct, voice.DailyTokenBudget);
        var rows = await calls.RecordAsync(proposal, Actor.Of(request), ct);

        var audit = proposal.Audit;
        var extensions = new Dictionary<string, object?> { ["outcome"] = proposal.Outcome, ["call_id"] = audit.Id };
        switch (proposal.Outcome)
        {
            case AssistantOutcomes.Ok:
                return TypedResults.Ok(new ProposalView(proposal.Outcome, audit.Id, audit.Model, audit.InputTokens, audit.OutputTokens,
                    [.. rows.Select(r => View(r, null))], proposal.Dropped));
            case AssistantOutcomes.BudgetExhausted:
                response.Headers.RetryAfter = ((int)Math.Ceiling((DayStart(now).AddDays(1) - now).TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                return Problem(StatusCodes.Status429TooManyRequests, "The store's assistant budget for today is spent", proposal.Message, extensions);
            case AssistantOutcomes.Unparseable or AssistantOutcomes.Failed:
                return Problem(StatusCodes.Status502BadGateway, "The language model did not give usable copy", proposal.Message, extensions);
            default:
                if (proposal.Outcome is AssistantOutcomes.RateLimited or AssistantOutcomes.CircuitOpen)
                {
                    response.Headers.RetryAfter = ((int)Math.Ceiling(options.Value.Circuit.BreakDuration.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                }
                return Problem(StatusCodes.Status503ServiceUnavailable, proposal.Outcome == AssistantOutcomes.Off
                    ? "The copy assistant is off" : "The copy assistant is not available now", proposal.Message, extensions);
        }
    }

    public static async Task<Results<Ok<StepVariantsView>, ProblemHttpResult>> ListAsync(string key, int number, WorkflowsDbContext db, CancellationToken ct)
    {
        if (!await db.SequenceSteps.AnyAsync(s => s.Number == number && db.Sequences.Any(q => q.Id == s.SequenceId && q.Key == key), ct))
        {
            return NotFound($"No step {number} in a sequence '{key}'.");
        }
        var variants = await db.CopyVariants.AsNoTracking()
            .Where(v => v.SequenceKey == key && v.StepNumber == number)
            .OrderBy(v => v.ProposedAt).ThenBy(v => v.Id)
            .ToListAsync(ct);
        var stats = await db.VariantStats.AsNoTracking()
            .Where(s => s.SequenceKey == key && s.StepNumber == number)
            .ToDictionaryAsync(s => s.VariantId, ct);
        var testing = variants.Any(v => v.State == CopyVariantStates.Approved);
        return TypedResults.Ok(new StepVariantsView(key, number,
            testing ? Result(stats.GetValueOrDefault(StepCopyVariant.OwnCopy)) : null,
            [.. variants.Select(v => View(v, v.State == CopyVariantStates.Approved ? Result(stats.GetValueOrDefault(v.Id)) : null))]));
    }

    /// <summary>A proposed variant approved or rejected by the person named in <c>X-FlexyPe-Actor</c>; 409 once decided.</summary>
    private static async Task<Results<Ok<CopyVariantView>, ProblemHttpResult>> DecideAsync(
        string key, int number, Guid id, string state, HttpRequest request, WorkflowsDbContext db, TimeProvider time, CancellationToken ct)
    {
        var actor = Actor.Of(request);
        var now = time.GetUtcNow();
        // One statement: of two people deciding at once, one decides and the other is told it is decided.
        var decided = await db.CopyVariants
            .Where(v => v.Id == id && v.SequenceKey == key && v.StepNumber == number && v.State == CopyVariantStates.Proposed)
            .ExecuteUpdateAsync(u => u.SetProperty(v => v.State, state).SetProperty(v => v.DecidedBy, actor).SetProperty(v => v.DecidedAt, now), ct);
        var variant = await db.CopyVariants.AsNoTracking().FirstOrDefaultAsync(v => v.Id == id && v.SequenceKey == key && v.StepNumber == number, ct);
        if (variant is null)
        {
            return NotFound($"No variant {id} of step {number} of '{key}'.");
        }
        if (decided == 0)
        {
            return Problem(StatusCodes.Status409Conflict, "The variant is already decided",
                $"Variant {id} was {variant.State} by {variant.DecidedBy} at {variant.DecidedAt:O}; only a proposed variant can be approved or rejected.", null);
        }
        return TypedResults.Ok(View(variant, null));
    }

    private static CopyVariantView View(StepCopyVariant v, VariantResultView? result)
        => new(v.Id, v.Subject, v.PreviewText, v.Opening, v.State, v.ProposedAt, v.StoreId, v.DecidedBy, v.DecidedAt, result);

    private static VariantResultView Result(StepVariantStats? s) => s is null
        ? new VariantResultView(0, 0, 0m, 0m, null, null, VariantStates.Active)
        : new VariantResultView(s.Sends, s.Recoveries, s.Revenue, s.Sends == 0 ? 0m : Math.Round(s.Revenue / s.Sends, 4),
            s.ProbabilityBest, s.ProbabilityWorse, s.State);

    private static DateTimeOffset DayStart(DateTimeOffset now) => new(now.UtcDateTime.Date, TimeSpan.Zero);

    private static ProblemHttpResult NotFound(string detail) => TypedResults.Problem(title: "Not found", detail: detail, statusCode: StatusCodes.Status404NotFound);

    private static ProblemHttpResult Problem(int status, string title, string? detail, Dictionary<string, object?>? extensions)
        => TypedResults.Problem(title: title, detail: detail, statusCode: status, extensions: extensions);
}
