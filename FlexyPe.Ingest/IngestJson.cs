using System.Text.Json;
using System.Text.Json.Serialization;
using FlexyPe.Ingest.Model;

namespace FlexyPe.Ingest;

/// <summary>snake_case JSON, the shape of FlexyPe's payloads and of the hand-offs (docs/hand-offs.md).</summary>
public static class IngestJson
{
    public static readonly JsonSerializerOptions Options = IngestJsonContext.Default.Options;

    /// <summary>The normalized event as stored and handed to Workflows; source-generated, as it runs per delivery.</summary>
    public static string Serialize(FlexyPeEvent normalized) => JsonSerializer.Serialize(normalized, IngestJsonContext.Default.FlexyPeEvent);
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(FlexyPeEvent))]
internal sealed partial class IngestJsonContext : JsonSerializerContext;
