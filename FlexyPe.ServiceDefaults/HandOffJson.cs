using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.Json;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The one JSON setup of every hand-off and API (docs/hand-offs.md): snake_case properties, dictionary keys as given
/// (tags and error field names are data), nulls written.
/// </summary>
public static class HandOffJson
{
    public static readonly JsonSerializerOptions Options = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.DictionaryKeyPolicy = null;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        return options;
    }

    /// <summary>Minimal APIs read and write with <see cref="Options"/>' settings.</summary>
    public static void Apply(JsonOptions json) => Configure(json.SerializerOptions);
}
