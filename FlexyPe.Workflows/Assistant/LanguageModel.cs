using System.ClientModel;
using System.ClientModel.Primitives;
using Microsoft.Extensions.AI;
using OpenAI;

namespace FlexyPe.Workflows.Assistant;

/// <summary>
/// The <see cref="IChatClient"/> behind the assistant, or none. Built from the connection string <c>ai</c> with the
/// OpenAI client (any OpenAI-compatible <c>/v1</c> endpoint), then wrapped so each call is an OpenTelemetry span
/// (<see cref="AssistantTelemetry.Name"/>, gen_ai.* attributes: model, token counts, finish reason) and a log line, neither
/// of which carries the prompt or the answer.
/// </summary>
public sealed class LanguageModel : IDisposable
{
    private LanguageModel(IChatClient? client, AiConnection? connection, string detail)
    {
        Client = client;
        Connection = connection;
        Detail = detail;
    }

    /// <summary>Null when the assistant is off.</summary>
    public IChatClient? Client { get; }
    public AiConnection? Connection { get; }
    /// <summary>Why it is off, or which model it talks to; safe to show (no key).</summary>
    public string Detail { get; }

    public static LanguageModel Off(string reason) => new(null, null, reason);

    /// <param name="networkTimeout">The HTTP client's own limit; set above the assistant's timeout so that one decides.</param>
    public static LanguageModel FromConnectionString(string? connectionString, ILoggerFactory loggerFactory, TimeSpan networkTimeout)
    {
        if (AiConnection.Parse(connectionString, out var problem) is not { } connection)
        {
            return Off(problem!);
        }
        var openAi = new OpenAIClient(
            // Ollama and other local servers take any key; the client insists on one.
            new ApiKeyCredential(connection.Key ?? "no-key"),
            new OpenAIClientOptions
            {
                Endpoint = connection.Endpoint,
                // No hidden retries: a 429 or an error is the circuit breaker's to count and the marketer's to see now.
                RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
                NetworkTimeout = networkTimeout,
            });
        var client = openAi.GetChatClient(connection.Model).AsIChatClient()
            .AsBuilder()
            // Explicitly off, whatever OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT says: prompts stay out of traces.
            .UseOpenTelemetry(loggerFactory, AssistantTelemetry.Name, otel => otel.EnableSensitiveData = false)
            .UseLogging(new ContentFreeLoggerFactory(loggerFactory))
            .Build();
        return new LanguageModel(client, connection, $"{connection.Model} at {connection.DisplayEndpoint}");
    }

    public void Dispose() => Client?.Dispose();

    /// <summary>
    /// <see cref="LoggingChatClient"/> writes messages and answers only when Trace is enabled for it; these loggers
    /// never report Trace as enabled, so no configuration can turn content logging on.
    /// </summary>
    private sealed class ContentFreeLoggerFactory(ILoggerFactory inner) : ILoggerFactory
    {
        public ILogger CreateLogger(string categoryName) => new ContentFreeLogger(inner.CreateLogger(categoryName));

        public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

        // The inner factory is the host's; it is not ours to dispose.
        public void Dispose()
        {
        }
    }

    private sealed class ContentFreeLogger(ILogger inner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel > LogLevel.Trace && inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                inner.Log(logLevel, eventId, state, exception, formatter);
            }
        }
    }
}
