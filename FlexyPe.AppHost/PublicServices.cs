using Microsoft.Extensions.Configuration;

namespace FlexyPe.AppHost;

/// <summary>
/// The services the outside world reaches (FlexyPe's webhooks, shoppers' unsubscribe and click links, marketers):
/// external HTTPS endpoints once deployed, told which proxies to believe about the client's address, and their public
/// URL taken from the deployment rather than typed by hand.
/// </summary>
public static class PublicServices
{
    public const string KnownProxiesKey = "ForwardedHeaders:KnownProxies";
    public const string KnownNetworksKey = "ForwardedHeaders:KnownNetworks";

    /// <summary>
    /// Trusted by default once published: the private ranges. Azure Container Apps' ingress reaches a container from
    /// the environment's infrastructure subnet, a private range (the generated network's, or your own VNet's subnet),
    /// and nothing else reaches a container at all. Set <c>ForwardedHeaders:KnownNetworks</c> to your subnet to narrow it.
    /// </summary>
    public static readonly IReadOnlyList<string> ContainerAppsIngressNetworks = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"];

    /// <summary>
    /// Makes every HTTP endpoint of <paramref name="service"/> external (public HTTPS in Azure Container Apps) and passes
    /// it the trusted proxies: <c>ForwardedHeaders:KnownProxies</c> / <c>:KnownNetworks</c> from the AppHost's
    /// configuration, or, published and with neither set, <see cref="ContainerAppsIngressNetworks"/>. Under
    /// <c>dotnet run</c> with neither set the service trusts loopback only (a tunnel on this machine).
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithPublicEndpoint(this IResourceBuilder<ProjectResource> service)
    {
        var builder = service.ApplicationBuilder;
        var proxies = Entries(builder.Configuration, KnownProxiesKey);
        var networks = Entries(builder.Configuration, KnownNetworksKey);
        if (proxies.Count == 0 && networks.Count == 0 && builder.ExecutionContext.IsPublishMode)
        {
            networks = [.. ContainerAppsIngressNetworks];
        }

        service.WithExternalHttpEndpoints();
        for (var i = 0; i < proxies.Count; i++)
        {
            service.WithEnvironment($"ForwardedHeaders__KnownProxies__{i}", proxies[i]);
        }
        for (var i = 0; i < networks.Count; i++)
        {
            service.WithEnvironment($"ForwardedHeaders__KnownNetworks__{i}", networks[i]);
        }
        return service;
    }

    /// <summary>
    /// Sets <paramref name="setting"/> (say <c>Notifier:PublicBaseUrl</c>) to where the outside world reaches the
    /// service: its external HTTPS endpoint once deployed (a reference azd resolves to the app's public URL), its
    /// HTTP endpoint under <c>dotnet run</c>. A value configured on the AppHost (a custom domain, a tunnel) wins and
    /// reaches the service through <see cref="ForwardedSettings.WithSettingsFrom{T}"/>.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithPublicUrlAs(this IResourceBuilder<ProjectResource> service, string setting)
    {
        var builder = service.ApplicationBuilder;
        if (!string.IsNullOrEmpty(builder.Configuration[setting]))
        {
            return service;
        }
        var endpoint = service.GetEndpoint(builder.ExecutionContext.IsPublishMode ? "https" : "http");
        return service.WithEnvironment(setting.Replace(":", "__", StringComparison.Ordinal), endpoint);
    }

    /// <summary>A list (<c>:0</c>, <c>:1</c>, …) or one comma-separated value, as the services read it.</summary>
    private static List<string> Entries(ConfigurationManager configuration, string key)
    {
        var section = configuration.GetSection(key);
        return section.GetChildren().Select(child => child.Value).Append(section.Value)
            .SelectMany(value => (value ?? "").Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .ToList();
    }
}
