using System.Text.RegularExpressions;

namespace FlexyPe.Recovery.StackTests.Proxied;

/// <summary>
/// Resolves a published manifest's <c>{resource.…}</c> expressions the way azd does when it deploys: parameters to the
/// values it was given, bindings to where each thing listens (an external service's https binding to its public URL),
/// connection strings by resolving them in turn. An expression it was given nothing for is an error, so a change in
/// what the manifest asks for shows up here.
/// </summary>
internal sealed partial class ManifestResolver(
    PublishedManifest manifest,
    IReadOnlyDictionary<string, string> parameters,
    IReadOnlyDictionary<string, string> bindings)
{
    /// <summary>The environment <paramref name="project"/> would be deployed with.</summary>
    public Dictionary<string, string> EnvironmentOf(string project) =>
        manifest.EnvironmentOf(project).ToDictionary(pair => pair.Key, pair => Resolve(pair.Value));

    public string Resolve(string text) => Expression().Replace(text, match => Value(match.Groups[1].Value));

    private string Value(string expression)
    {
        var parts = expression.Split('.');
        var (resource, property) = (parts[0], parts[1]);
        var definition = manifest[resource];
        var type = definition.GetProperty("type").GetString();

        switch (property)
        {
            case "value" when type == "parameter.v0":
                return parameters.TryGetValue(resource, out var value)
                    ? value
                    : throw new InvalidOperationException($"the manifest asks for parameter '{resource}', which the rig does not give");
            case "value" when type == "annotated.string":
                var inner = Resolve(definition.GetProperty("value").GetString()!);
                return definition.TryGetProperty("filter", out var filter) && filter.GetString() == "uri" ? Uri.EscapeDataString(inner) : inner;
            case "connectionString":
                return Resolve(definition.GetProperty("connectionString").GetString()!);
            case "bindings":
                var key = string.Join('.', parts.Skip(1).Prepend(resource));
                return bindings.TryGetValue(key, out var binding)
                    ? binding
                    : throw new InvalidOperationException($"the manifest asks for '{key}', which the rig does not give");
            default:
                throw new InvalidOperationException($"the rig cannot resolve '{{{expression}}}'");
        }
    }

    [GeneratedRegex(@"\{([A-Za-z0-9_.\-]+)\}")]
    private static partial Regex Expression();
}
