using System.ClientModel;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace FlexyPe.Workflows.Assistant;

/// <summary>
/// Writes subject / preview-text / opening variants for a step at authoring time. Checks, in order: the assistant is
/// configured, the store has budget left today, the circuit is closed; then one call to the model (structured output,
/// a timeout), then the guardrails on every draft. Whatever happens, the answer carries an audit record to persist.
/// Kept variants are only proposed: a person approves them before anything is sent.
/// </summary>
public sealed class CopyAssistant
{
    private static readonly JsonSerializerOptions DraftJson = new(AIJsonUtilities.DefaultOptions)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    private readonly LanguageModel model;
    private readonly CopyGuardrails guardrails;
    private readonly AssistantOptions options;
    private readonly TimeProvider time;
    private readonly AssistantTelemetry telemetry;
    private readonly ILogger<CopyAssistant> logger;
    private readonly ResiliencePipeline pipeline;
    private readonly CircuitBreakerStateProvider circuit = new();

    public CopyAssistant(
        LanguageModel model, CopyGuardrails guardrails, IOptions<AssistantOptions> options, TimeProvider time,
        AssistantTelemetry telemetry, ILogger<CopyAssistant> logger)
    {
        this.telemetry = telemetry;
        this.model = model;
        this.guardrails = guardrails;
        this.options = options.Value;
        this.time = time;
        this.logger = logger;
        var breaker = this.options.Circuit;
        // The breaker wraps the timeout, so a call that times out counts as a failure.
        pipeline = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                FailureRatio = breaker.FailureRatio,
                MinimumThroughput = breaker.MinimumThroughput,
                SamplingDuration = breaker.SamplingDuration,
                BreakDuration = breaker.BreakDuration,
                StateProvider = circuit,
                ShouldHandle = new PredicateBuilder()
                    .Handle<ClientResultException>()
                    .Handle<HttpRequestException>()
                    .Handle<TimeoutRejectedException>(),
            })
            .AddTimeout(this.options.Timeout)
            .Build();
    }

    public AssistantStatus Status()
    {
        var (state, detail) = model.Client is null
            ? ("off", model.Detail)
            : circuit.CircuitState is CircuitState.Open or CircuitState.Isolated
                ? ("paused", $"{model.Detail}: paused after repeated failures; it is tried again within {options.Circuit.BreakDuration.TotalSeconds:0} s.")
                : ("on", model.Detail);
        return new AssistantStatus(state, detail, model.Connection?.Model, model.Connection?.DisplayEndpoint, CopyPrompt.Version, options.DailyTokenBudgetPerStore);
    }

    /// <param name="storeCallsToday">The store's audit records of today (or more; only today's count), for the budget.</param>
    /// <param name="dailyTokenBudget">The store's own budget when it set one; else <see cref="AssistantOptions.DailyTokenBudgetPerStore"/>.</param>
    public async Task<CopyProposal> ProposeAsync(CopyBrief brief, IEnumerable<AssistantCallRecord> storeCallsToday, CancellationToken ct, long? dailyTokenBudget = null)
    {
        var startedAt = time.GetUtcNow();
        var started = time.GetTimestamp();
        var count = Math.Clamp(brief.Count, 1, options.MaxVariants);
        using var activity = AssistantTelemetry.Source.StartActivity("workflows.assistant.propose");
        activity?.SetTag("flexype.store.id", brief.StoreId);
        activity?.SetTag("flexype.sequence", brief.SequenceKey);
        activity?.SetTag("flexype.step", brief.StepNumber);
        activity?.SetTag("flexype.assistant.prompt_version", CopyPrompt.Version);
        activity?.SetTag("flexype.assistant.requested", count);

        CopyProposal Finish(string outcome, string? message, string? modelId = null, long input = 0, long output = 0,
            IReadOnlyList<CopyVariant>? kept = null, IReadOnlyList<DroppedVariant>? dropped = null)
        {
            kept ??= [];
            dropped ??= [];
            var audit = new AssistantCallRecord(
                Guid.CreateVersion7(startedAt), brief.StoreId, brief.SequenceKey, brief.StepNumber, CopyPrompt.Version,
                modelId ?? model.Connection?.Model, input, output, outcome, count, kept.Count,
                [.. dropped.SelectMany(d => d.Reasons.Select(r => r.Rule))], startedAt, time.GetElapsedTime(started));
            activity?.SetTag("flexype.assistant.outcome", outcome);
            activity?.SetTag("flexype.assistant.kept", kept.Count);
            activity?.SetTag("flexype.assistant.dropped", dropped.Count);
            if (outcome != AssistantOutcomes.Ok)
            {
                activity?.SetStatus(ActivityStatusCode.Error, outcome);
            }
            telemetry.Calls.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
            telemetry.Tokens.Add(input, new KeyValuePair<string, object?>("direction", "input"));
            telemetry.Tokens.Add(output, new KeyValuePair<string, object?>("direction", "output"));
            telemetry.Kept.Add(kept.Count);
            foreach (var rule in audit.DroppedReasons)
            {
                telemetry.Dropped.Add(1, new KeyValuePair<string, object?>("rule", rule));
            }
            logger.LogInformation(
                "Copy for {Sequence} step {Step} of store {StoreId}: {Outcome}, {Kept} of {Requested} kept, {Dropped} dropped, {InputTokens}+{OutputTokens} tokens ({Model}, {PromptVersion})",
                brief.SequenceKey, brief.StepNumber, brief.StoreId, outcome, kept.Count, count, dropped.Count, input, output, audit.Model, CopyPrompt.Version);
            return new CopyProposal(outcome, message, kept, dropped, audit);
        }

        if (model.Client is not { } client)
        {
            return Finish(AssistantOutcomes.Off, "The copy assistant is off: " + model.Detail);
        }
        var budget = new DailyTokenBudget(dailyTokenBudget ?? options.DailyTokenBudgetPerStore).For(brief.StoreId, storeCallsToday, startedAt);
        if (!DailyTokenBudget.Allows(budget, options.MaxOutputTokens))
        {
            return Finish(AssistantOutcomes.BudgetExhausted,
                $"The store has used {budget.Used:N0} of its {budget.Limit:N0} assistant tokens today; the budget renews at {budget.ResetsAt:yyyy-MM-dd HH:mm} UTC.");
        }

        var chatOptions = new ChatOptions
        {
            Temperature = (float)options.Temperature,
            MaxOutputTokens = options.MaxOutputTokens,
            // OpenAI's strict structured output: the answer must match the schema exactly.
            AdditionalProperties = new() { ["strict"] = true },
        };
        ChatResponse<CopyDrafts> response;
        try
        {
            response = await pipeline.ExecuteAsync(
                async token => await client.GetResponseAsync<CopyDrafts>(CopyPrompt.Build(brief, count), DraftJson, chatOptions, useJsonSchemaResponseFormat: true, token),
                ct);
        }
        catch (BrokenCircuitException)
        {
            return Finish(AssistantOutcomes.CircuitOpen, "The model failed repeatedly; the assistant is paused for a moment. Try again shortly.");
        }
        catch (TimeoutRejectedException)
        {
            return Finish(AssistantOutcomes.Timeout, $"The model did not answer within {options.Timeout.TotalSeconds:0.#} s. Try again.");
        }
        catch (ClientResultException e) when (e.Status == 429)
        {
            var retryAfter = e.GetRawResponse()?.Headers.TryGetValue("Retry-After", out var value) == true ? $" (it asks to wait {value} s)" : "";
            return Finish(AssistantOutcomes.RateLimited, $"The model's provider is limiting requests{retryAfter}. Try again later.");
        }
        catch (ClientResultException e)
        {
            logger.LogWarning("The language model answered HTTP {Status} for {Sequence} step {Step}", e.Status, brief.SequenceKey, brief.StepNumber);
            return Finish(AssistantOutcomes.Failed, e.Status == 0
                ? "The model could not be reached."
                : $"The model answered with an error (HTTP {e.Status.ToString(CultureInfo.InvariantCulture)}).");
        }
        catch (HttpRequestException)
        {
            return Finish(AssistantOutcomes.Failed, "The model could not be reached.");
        }

        var modelId = response.ModelId ?? model.Connection?.Model;
        var input = response.Usage?.InputTokenCount ?? 0;
        var output = response.Usage?.OutputTokenCount ?? 0;
        if (!response.TryGetResult(out var drafts) || drafts?.Variants is null)
        {
            return Finish(AssistantOutcomes.Unparseable, "The model's answer was not in the requested form. Try again.", modelId, input, output);
        }

        var kept = new List<CopyVariant>();
        var dropped = new List<DroppedVariant>();
        foreach (var draft in drafts.Variants.Where(d => d is not null).Take(count))
        {
            var violations = guardrails.Check(draft, brief);
            if (violations.Count == 0)
            {
                kept.Add(CopyVariant.Propose(draft, startedAt));
            }
            else
            {
                dropped.Add(new DroppedVariant(draft, violations));
            }
        }
        return Finish(AssistantOutcomes.Ok, null, modelId, input, output, kept, dropped);
    }
}
