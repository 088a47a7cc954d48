using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace FlexyPe.Workflows.Assistant;

/// <summary>The assistant's own spans and metrics (beside the gen_ai.* ones of the chat client). No generated text, no shopper.</summary>
public static class AssistantTelemetry
{
    public static readonly ActivitySource Source = new(LanguageModel.TelemetrySource);
    private static readonly Meter Meter = new(LanguageModel.TelemetrySource);

    public static readonly Counter<long> Calls = Meter.CreateCounter<long>("assistant.copy.calls", description: "Requests for copy, by outcome");
    public static readonly Counter<long> Tokens = Meter.CreateCounter<long>("assistant.copy.tokens", unit: "{token}", description: "Tokens the model reported, by direction");
    public static readonly Counter<long> Kept = Meter.CreateCounter<long>("assistant.copy.variants.kept", description: "Generated variants that passed the guardrails");
    public static readonly Counter<long> Dropped = Meter.CreateCounter<long>("assistant.copy.variants.dropped", description: "Guardrail violations that dropped a variant, by rule");
}
