using System.Text.Json;

namespace FlexyPe.Ingest;

/// <summary>snake_case JSON, the shape of FlexyPe's payloads and of the hand-offs (docs/hand-offs.md).</summary>
public static class IngestJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
    };
}
