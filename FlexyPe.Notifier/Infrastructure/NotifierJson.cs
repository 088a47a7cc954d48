using System.Text.Json;

namespace FlexyPe.Notifier.Infrastructure;

/// <summary>snake_case JSON, as every hand-off between the services uses (docs/hand-offs.md).</summary>
public static class NotifierJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };
}
