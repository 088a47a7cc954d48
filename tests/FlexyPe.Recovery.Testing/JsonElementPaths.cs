using System.Text.Json;

namespace FlexyPe.Recovery.Testing;

public static class JsonElementPaths
{
    /// <summary>The value at a dotted path (<c>cart.0.title</c>) as text, or null when missing or JSON null.</summary>
    public static string? At(this JsonElement element, string path)
    {
        var current = element;
        foreach (var part in path.Split('.'))
        {
            if (current.ValueKind == JsonValueKind.Object && current.TryGetProperty(part, out var child))
            {
                current = child;
            }
            else if (current.ValueKind == JsonValueKind.Array && int.TryParse(part, out var index) && index < current.GetArrayLength())
            {
                current = current[index];
            }
            else
            {
                return null;
            }
        }

        return current.ValueKind switch
        {
            JsonValueKind.Null or JsonValueKind.Undefined => null,
            JsonValueKind.String => current.GetString(),
            _ => current.GetRawText(),
        };
    }
}
