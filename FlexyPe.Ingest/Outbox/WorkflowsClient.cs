using System.Net.Http.Headers;
using System.Text;

namespace FlexyPe.Ingest.Outbox;

/// <summary>Hands a normalized event to Workflows (<c>POST /internal/events</c>, docs/hand-offs.md).</summary>
public sealed class WorkflowsClient(HttpClient http, IConfiguration configuration)
{
    public async Task DeliverAsync(string normalizedJson, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/internal/events")
        {
            Content = new StringContent(normalizedJson, Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", configuration[AdminApiKey.ConfigurationKey]);
        using var response = await http.SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
    }
}
