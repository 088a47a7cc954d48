using System.Net.Http.Headers;

namespace FlexyPe.Console.Clients;

/// <summary>
/// Adds <c>Authorization: Bearer &lt;Admin:ApiKey&gt;</c> to every call to a service. The key lives only in the
/// console's configuration on the server; nothing the browser receives carries it.
/// </summary>
public sealed class AdminKeyHandler(IConfiguration configuration) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", configuration[AdminApiKey.ConfigurationKey]);
        return base.SendAsync(request, cancellationToken);
    }
}
