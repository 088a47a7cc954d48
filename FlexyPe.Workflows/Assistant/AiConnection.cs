using System.Data.Common;

namespace FlexyPe.Workflows.Assistant;

/// <summary>
/// The language model named by the Aspire connection string <c>ai</c>: <c>Endpoint=…;Key=…;Model=…</c>, any
/// OpenAI-compatible endpoint (OpenAI's <c>https://api.openai.com/v1</c>, Azure OpenAI's <c>…/openai/v1</c>,
/// Ollama's <c>http://localhost:11434/v1</c>). The key is optional (Ollama needs none).
/// </summary>
public sealed record AiConnection(Uri Endpoint, string? Key, string Model)
{
    public const string Name = "ai";

    /// <summary>
    /// The connection, or null with the reason it is off. The reason never repeats the string itself: it may hold a key.
    /// </summary>
    public static AiConnection? Parse(string? connectionString, out string? problem)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            problem = $"No connection string '{Name}' is configured (ConnectionStrings__{Name}).";
            return null;
        }
        var builder = new DbConnectionStringBuilder();
        try
        {
            builder.ConnectionString = connectionString;
        }
        catch (ArgumentException)
        {
            problem = $"The connection string '{Name}' is not of the form Endpoint=…;Key=…;Model=….";
            return null;
        }
        var endpoint = builder.TryGetValue("Endpoint", out var e) ? e?.ToString() : null;
        var model = builder.TryGetValue("Model", out var m) ? m?.ToString() : null;
        var key = builder.TryGetValue("Key", out var k) ? k?.ToString() : null;
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            problem = $"The connection string '{Name}' has no http(s) Endpoint.";
            return null;
        }
        if (string.IsNullOrWhiteSpace(model))
        {
            problem = $"The connection string '{Name}' names no Model.";
            return null;
        }
        problem = null;
        return new AiConnection(uri, string.IsNullOrWhiteSpace(key) ? null : key, model.Trim());
    }

    /// <summary>What a status page may show: the endpoint's scheme, host and port, never the key.</summary>
    public string DisplayEndpoint => Endpoint.GetLeftPart(UriPartial.Authority);

    // The key stays out of logs and exception messages even when the record is printed whole.
    public override string ToString() => $"AiConnection {{ Endpoint = {DisplayEndpoint}, Model = {Model} }}";
}
