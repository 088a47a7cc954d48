using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace FlexyPe.Workflows.Assistant;

/// <summary>
/// The assistant's spans and metrics ("FlexyPe.Workflows.Assistant", exported by the service defaults), beside the
/// gen_ai.* ones of the chat client under the same name. Tags carry stores, sequences, outcomes and rules: never
/// generated text, never a shopper.
/// </summary>
public sealed class AssistantTelemetry
{
    public const string Name = "FlexyPe.Workflows.Assistant";

    public static readonly ActivitySource Source = new(Name);

    public AssistantTelemetry(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(Name);
        Calls = meter.CreateCounter<long>("flexype.workflows.assistant.calls", description: "Requests for copy, by outcome.");
        Tokens = meter.CreateCounter<long>("flexype.workflows.assistant.tokens", unit: "{token}", description: "Tokens the model reported, by direction (input, output).");
        Kept = meter.CreateCounter<long>("flexype.workflows.assistant.variants.kept", description: "Generated variants that passed the guardrails.");
        Dropped = meter.CreateCounter<long>("flexype.workflows.assistant.variants.dropped", description: "Guardrail violations that dropped a variant, by rule.");
    }

    public Counter<long> Calls { get; }
    public Counter<long> Tokens { get; }
    public Counter<long> Kept { get; }
    public Counter<long> Dropped { get; }
}
