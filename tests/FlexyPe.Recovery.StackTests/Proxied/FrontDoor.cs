using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Transforms;

namespace FlexyPe.Recovery.StackTests.Proxied;

/// <summary>
/// A reverse proxy (YARP) in front of one service, as a cloud ingress is: HTTPS outside (a self-signed certificate),
/// plain HTTP to the service from 127.0.0.1, and like Azure Container Apps' ingress it keeps the client's own
/// <c>X-Forwarded-For</c> and appends the address it saw, and sets <c>X-Forwarded-Proto: https</c>.
/// </summary>
internal sealed class FrontDoor : IAsyncDisposable
{
    private readonly WebApplication app;

    /// <summary><c>https://127.0.0.1:port</c>: what the deployment calls the service's public URL.</summary>
    public string PublicUrl { get; }

    private FrontDoor(WebApplication app, string publicUrl)
    {
        this.app = app;
        PublicUrl = publicUrl;
    }

    public static async Task<FrontDoor> StartAsync(int port, string destination, X509Certificate2 certificate)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port, listen => listen.UseHttps(certificate)));
        var route = new RouteConfig { RouteId = "all", ClusterId = "service", Match = new RouteMatch { Path = "{**path}" } }
            .WithTransformXForwarded(xDefault: ForwardedTransformActions.Append, xProto: ForwardedTransformActions.Set);
        var cluster = new ClusterConfig
        {
            ClusterId = "service",
            Destinations = new Dictionary<string, DestinationConfig> { ["service"] = new() { Address = destination } },
        };
        builder.Services.AddReverseProxy().LoadFromMemory([route], [cluster]);

        var app = builder.Build();
        app.MapReverseProxy();
        await app.StartAsync();
        return new FrontDoor(app, $"https://127.0.0.1:{port}");
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
