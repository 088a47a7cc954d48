using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace FlexyPe.Workflows.Uplift;

/// <summary>
/// An enrollment's <see cref="RecoveryFeatures"/> as kept in <c>enrollments.features</c> (jsonb, snake_case, with
/// <c>schema_version</c>). The shopper's history they are built from is read by <see cref="Enrollments.BatchReads"/>.
/// </summary>
public static class EnrollmentFeatures
{
    private const string SchemaVersionField = "schema_version";

    // Named literals ("NaN") round-trip, so a value that is not a number is kept as such and left out of training
    // with a reason, instead of failing the row.
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals | JsonNumberHandling.AllowReadingFromString,
    };

    public static string Serialize(RecoveryFeatures features)
    {
        var node = JsonSerializer.SerializeToNode(features, Json)!.AsObject();
        node.Insert(0, SchemaVersionField, RecoveryFeatures.SchemaVersion);
        return node.ToJsonString();
    }

    /// <summary>
    /// The stored features; null when there are none. Features of another schema, or that cannot be read, come back
    /// as <see cref="Unreadable"/>: every field NaN, so the model never scores them and training counts them out.
    /// </summary>
    public static RecoveryFeatures? Read(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return null;
        }
        try
        {
            var node = JsonNode.Parse(json)?.AsObject();
            if (node is null || node[SchemaVersionField]?.GetValue<int>() != RecoveryFeatures.SchemaVersion)
            {
                return Unreadable;
            }
            return node.Deserialize<RecoveryFeatures>(Json) ?? Unreadable;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            return Unreadable;
        }
    }

    /// <summary>Features that are not numbers: what an unreadable row becomes.</summary>
    public static readonly RecoveryFeatures Unreadable = new() { SessionState = float.NaN };
}
