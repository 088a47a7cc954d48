using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Which proxies a service believes about the client's address and scheme (<c>X-Forwarded-For</c>,
/// <c>X-Forwarded-Proto</c>): the addresses in <c>ForwardedHeaders:KnownProxies</c> and the ranges (CIDR) in
/// <c>ForwardedHeaders:KnownNetworks</c>, or loopback alone when neither is set. Behind Azure Container Apps the ingress
/// connects from the environment's infrastructure subnet; the AppHost's publish mode passes that range (README,
/// "Deploying").
/// </summary>
public static class TrustedProxies
{
    public const string KnownProxiesKey = "ForwardedHeaders:KnownProxies";
    public const string KnownNetworksKey = "ForwardedHeaders:KnownNetworks";

    /// <summary>
    /// ASP.NET Core's own switch for the middleware (<c>ASPNETCORE_FORWARDEDHEADERS_ENABLED</c>, which Aspire's publish
    /// manifest sets on every project): it puts the middleware first in the pipeline.
    /// </summary>
    private const string EnabledKey = "ForwardedHeaders_Enabled";

    public static TBuilder AddTrustedProxies<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        // On in every mode, so exactly one forwarded-headers middleware runs, first. A second one (a service's own
        // app.UseForwardedHeaders() beside the switch) would take a second X-Forwarded-For entry, one the client wrote.
        builder.Configuration.AddInMemoryCollection([new(EnabledKey, "true")]);

        // Registered after ASP.NET Core's own setup, which trusts every address when the switch is on; this replaces it.
        builder.Services.AddOptions<ForwardedHeadersOptions>().Configure<IConfiguration>((options, configuration) =>
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            // Only the entry the nearest trusted proxy added: whatever stands left of it is the client's own say-so.
            options.ForwardLimit = 1;
            options.KnownProxies.Clear();
            options.KnownIPNetworks.Clear();

            var proxies = Entries(configuration, KnownProxiesKey).Select(entry => ParseAddress(entry, KnownProxiesKey)).ToList();
            var networks = Entries(configuration, KnownNetworksKey).Select(entry => ParseNetwork(entry, KnownNetworksKey)).ToList();
            if (proxies.Count == 0 && networks.Count == 0)
            {
                // A tunnel or proxy on this machine (the development default).
                proxies.Add(IPAddress.IPv6Loopback);
                networks.Add(new System.Net.IPNetwork(IPAddress.Loopback, 8));
            }
            foreach (var proxy in proxies)
            {
                options.KnownProxies.Add(proxy);
            }
            foreach (var network in networks)
            {
                options.KnownIPNetworks.Add(network);
            }
        });
        return builder;
    }

    /// <summary>A list (<c>:0</c>, <c>:1</c>, …) or one comma-separated value.</summary>
    private static IEnumerable<string> Entries(IConfiguration configuration, string key)
    {
        var section = configuration.GetSection(key);
        var values = section.GetChildren().Select(child => child.Value).Append(section.Value);
        return values
            .SelectMany(value => (value ?? "").Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    // A setting that does not parse stops the service at start-up: guessing would trust too much or too little.
    private static IPAddress ParseAddress(string entry, string key) =>
        IPAddress.TryParse(entry, out var address)
            ? address
            : throw new InvalidOperationException($"{key} has '{entry}', which is not an IP address.");

    private static System.Net.IPNetwork ParseNetwork(string entry, string key) =>
        System.Net.IPNetwork.TryParse(entry, out var network)
            ? network
            : throw new InvalidOperationException($"{key} has '{entry}', which is not a CIDR range such as 10.0.0.0/8.");
}
