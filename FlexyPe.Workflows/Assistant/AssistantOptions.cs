using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace FlexyPe.Workflows.Assistant;

/// <summary>Checks the <see cref="AssistantOptions"/> attributes at start-up (source-generated).</summary>
[OptionsValidator]
public sealed partial class AssistantOptionsValidator : IValidateOptions<AssistantOptions>;

/// <summary>The copy assistant's limits (<c>Workflows:Assistant:*</c>). The model itself is the connection string <c>ai</c>.</summary>
public sealed class AssistantOptions
{
    public const string Section = "Workflows:Assistant";

    /// <summary>One call to the model, from request to parsed answer; past it the marketer is told to try again.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Input plus output tokens one store may spend per UTC day, as the model reports them.</summary>
    [Range(0, long.MaxValue)]
    public long DailyTokenBudgetPerStore { get; set; } = 50_000;

    /// <summary>The most a single answer may cost; also the least budget left for a call to start.</summary>
    [Range(100, 100_000)]
    public int MaxOutputTokens { get; set; } = 1_500;

    /// <summary>The most variants one request may ask for.</summary>
    [Range(1, 20)]
    public int MaxVariants { get; set; } = 10;

    [Range(0.0, 2.0)]
    public double Temperature { get; set; } = 0.8;

    [ValidateObjectMembers]
    public AssistantCircuitOptions Circuit { get; set; } = new();
}

/// <summary>When the model keeps failing, stop asking it for a while (Polly's circuit breaker).</summary>
public sealed class AssistantCircuitOptions
{
    /// <summary>Failures (errors, 429s, timeouts) over calls in <see cref="SamplingDuration"/> that open the circuit.</summary>
    [Range(0.01, 1.0)]
    public double FailureRatio { get; set; } = 0.5;
    /// <summary>Calls needed in <see cref="SamplingDuration"/> before the ratio counts (Polly's minimum is 2).</summary>
    [Range(2, 1_000)]
    public int MinimumThroughput { get; set; } = 4;
    [Range(typeof(TimeSpan), "00:00:00.500", "1.00:00:00")]
    public TimeSpan SamplingDuration { get; set; } = TimeSpan.FromMinutes(2);
    /// <summary>How long an open circuit refuses calls before one is let through to test the model again.</summary>
    [Range(typeof(TimeSpan), "00:00:00.500", "1.00:00:00")]
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromMinutes(1);
}
