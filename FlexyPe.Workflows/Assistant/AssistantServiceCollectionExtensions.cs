using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace FlexyPe.Workflows.Assistant;

public static class AssistantServiceCollectionExtensions
{
    /// <summary>
    /// The copy assistant: its options (<c>Workflows:Assistant</c>), the language model from the optional connection
    /// string <c>ai</c> (absent: the assistant reports "off" and nothing else changes), the guardrails and the assistant.
    /// </summary>
    public static IHostApplicationBuilder AddCopyAssistant(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<AssistantOptions>().BindConfiguration(AssistantOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<AssistantOptions>, AssistantOptionsValidator>();
        builder.Services.AddSingleton<AssistantTelemetry>();
        builder.Services.AddSingleton(sp =>
        {
            var timeout = sp.GetRequiredService<IOptions<AssistantOptions>>().Value.Timeout;
            return LanguageModel.FromConnectionString(
                builder.Configuration.GetConnectionString(AiConnection.Name),
                sp.GetRequiredService<ILoggerFactory>(),
                timeout + TimeSpan.FromSeconds(5));
        });
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<CopyGuardrails>();
        // One instance: the circuit breaker's state is shared by every request.
        builder.Services.AddSingleton<CopyAssistant>();
        return builder;
    }
}
