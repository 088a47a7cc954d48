using System.Text.RegularExpressions;

namespace FlexyPe.Ingest.Storage;

/// <summary>JSON text made acceptable to Postgres's jsonb, which refuses the NUL character (<c>\u0000</c>) in strings.</summary>
public static partial class JsonbText
{
    /// <summary>Replaces each escaped NUL with U+FFFD (the replacement character); everything else is left as it is.</summary>
    public static string From(string json) =>
        json.Contains("\\u0000", StringComparison.OrdinalIgnoreCase) ? EscapedNul().Replace(json, "$1\\uFFFD") : json;

    // An escaped NUL preceded by an even number of backslashes (an odd number would make it literal text).
    [GeneratedRegex(@"(?<!\\)((?:\\\\)*)\\u0000", RegexOptions.IgnoreCase)]
    private static partial Regex EscapedNul();
}
