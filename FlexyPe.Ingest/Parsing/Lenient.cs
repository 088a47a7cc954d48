using System.Globalization;
using System.Text.Json;

namespace FlexyPe.Ingest.Parsing;

/// <summary>
/// Reads FlexyPe JSON the way FlexyPe writes it: a field may be missing, null, a number sent as a string or a string
/// sent as a number, and several names may mean the same thing across payload versions.
/// </summary>
internal static class Lenient
{
    /// <summary>The first of <paramref name="names"/> that is an object.</summary>
    public static JsonElement? Object(this JsonElement? element, params string[] names) =>
        First(element, names, JsonValueKind.Object);

    public static JsonElement? Array(this JsonElement? element, params string[] names) =>
        First(element, names, JsonValueKind.Array);

    /// <summary>The first of <paramref name="names"/> that holds a non-empty string or a number, as text.</summary>
    public static string? String(this JsonElement? element, params string[] names)
    {
        if (element is not { ValueKind: JsonValueKind.Object } obj)
        {
            return null;
        }

        foreach (var name in names)
        {
            if (!obj.TryGetProperty(name, out var value))
            {
                continue;
            }

            var text = value.ValueKind switch
            {
                JsonValueKind.String => value.GetString()?.Trim(),
                JsonValueKind.Number => value.GetRawText(),
                JsonValueKind.True => "true",
                JsonValueKind.False => "false",
                _ => null,
            };
            if (!string.IsNullOrEmpty(text))
            {
                return text;
            }
        }

        return null;
    }

    public static decimal? Decimal(this JsonElement? element, params string[] names) =>
        decimal.TryParse(element.String(names), NumberStyles.Number, CultureInfo.InvariantCulture, out var value) ? value : null;

    public static int? Int(this JsonElement? element, params string[] names) =>
        element.Decimal(names) is { } value && value is >= int.MinValue and <= int.MaxValue ? (int)value : null;

    public static DateTimeOffset? Time(this JsonElement? element, params string[] names) =>
        DateTimeOffset.TryParse(element.String(names), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value)
            ? value
            : null;

    public static IEnumerable<JsonElement?> Items(this JsonElement? array) =>
        array is { ValueKind: JsonValueKind.Array } a ? a.EnumerateArray().Select(item => (JsonElement?)item) : [];

    public static bool Has(this JsonElement? element, string name) =>
        element is { ValueKind: JsonValueKind.Object } obj && obj.TryGetProperty(name, out var value)
        && value.ValueKind is not JsonValueKind.Null and not JsonValueKind.Undefined;

    private static JsonElement? First(JsonElement? element, string[] names, JsonValueKind kind)
    {
        if (element is not { ValueKind: JsonValueKind.Object } obj)
        {
            return null;
        }

        foreach (var name in names)
        {
            if (obj.TryGetProperty(name, out var value) && value.ValueKind == kind)
            {
                return value;
            }
        }

        return null;
    }
}
