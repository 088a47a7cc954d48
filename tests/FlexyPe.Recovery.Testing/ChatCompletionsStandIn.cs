using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace FlexyPe.Recovery.Testing;

/// <summary>
/// A local stand-in for an OpenAI-compatible <c>POST /v1/chat/completions</c> (the one thing outside our control the
/// tests may replace, and only at the wire). It records every request and answers from a script: a completion whose
/// message content is the given JSON text with the given token usage, an error status, or an answer after a delay.
/// </summary>
public sealed class ChatCompletionsStandIn : IDisposable
{
    /// <summary>What the client sent: path, the Authorization header and the JSON body.</summary>
    public sealed record Request(string Path, string? Authorization, string Body)
    {
        public JsonNode Json => JsonNode.Parse(Body)!;
    }

    /// <summary>One scripted answer.</summary>
    public sealed record Reply(int Status, string? Content, int PromptTokens, int CompletionTokens, string Model, TimeSpan Delay, string? RetryAfter)
    {
        /// <summary>A completion whose assistant message is <paramref name="content"/> (for structured output: the JSON text).</summary>
        public static Reply Completion(string content, int promptTokens = 412, int completionTokens = 188, string model = "gpt-test-2026-01-01")
            => new(200, content, promptTokens, completionTokens, model, TimeSpan.Zero, null);

        public static Reply Error(int status, string? retryAfter = null) => new(status, null, 0, 0, "", TimeSpan.Zero, retryAfter);

        public Reply After(TimeSpan delay) => this with { Delay = delay };
    }

    private readonly LocalHttpListener listener;
    private readonly Func<int, Reply> script;
    private int count;

    /// <param name="script">The answer to the n-th request (0-based).</param>
    public ChatCompletionsStandIn(Func<int, Reply> script)
    {
        this.script = script;
        listener = new LocalHttpListener(AnswerAsync);
    }

    /// <summary>What goes in <c>Endpoint=</c>: the base URL with <c>/v1</c>.</summary>
    public Uri Endpoint => new(listener.BaseUrl + "/v1");

    public ConcurrentQueue<Request> Requests { get; } = new();

    /// <summary>The variants answer of the copy assistant's schema, as the model would write it.</summary>
    public static string Variants(params (string Subject, string PreviewText, string Opening)[] variants)
        => JsonSerializer.Serialize(new
        {
            variants = variants.Select(v => new { subject = v.Subject, preview_text = v.PreviewText, opening = v.Opening }),
        });

    private async Task AnswerAsync(HttpListenerContext context)
    {
        using var reader = new StreamReader(context.Request.InputStream);
        var request = new Request(context.Request.Url!.AbsolutePath, context.Request.Headers["Authorization"], await reader.ReadToEndAsync());
        Requests.Enqueue(request);
        var reply = script(Interlocked.Increment(ref count) - 1);
        if (reply.Delay > TimeSpan.Zero)
        {
            await Task.Delay(reply.Delay);
        }
        context.Response.StatusCode = reply.Status;
        context.Response.ContentType = "application/json";
        if (reply.RetryAfter is not null)
        {
            context.Response.Headers["Retry-After"] = reply.RetryAfter;
        }
        object body = reply.Status == 200
            ? new
            {
                id = "chatcmpl-standin-" + count,
                @object = "chat.completion",
                created = 1_780_000_000,
                model = reply.Model,
                choices = new[] { new { index = 0, message = new { role = "assistant", content = reply.Content }, finish_reason = "stop" } },
                usage = new { prompt_tokens = reply.PromptTokens, completion_tokens = reply.CompletionTokens, total_tokens = reply.PromptTokens + reply.CompletionTokens },
            }
            : new { error = new { message = "stand-in error " + reply.Status, type = reply.Status == 429 ? "requests" : "server_error", code = reply.Status == 429 ? "rate_limit_exceeded" : null } };
        await context.Response.OutputStream.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(body));
    }

    public void Dispose() => listener.Dispose();
}
