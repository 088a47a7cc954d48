using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using FlexyPe.Recovery.StackTests.Stack;

namespace FlexyPe.Recovery.StackTests.Ingest;

/// <summary>Talks to Ingest the way FlexyPe (webhooks) and an operator (admin API) do.</summary>
public sealed class IngestClient(RecoveryStack stack) : IDisposable
{
    private readonly HttpClient http = stack.CreateHttpClient("ingest");

    public static string NewEventId() => $"evt_{Guid.NewGuid():N}";

    public Task<HttpResponseMessage> DeliverAsync(
        string body,
        string? eventId,
        string? secret = "default",
        string? version = "2026-05",
        string? pathKind = null,
        string? clientAddress = null,
        TimeSpan? timeout = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, pathKind is null ? "/webhooks/flexype" : $"/webhooks/flexype/{pathKind}")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        if (secret is not null)
        {
            request.Headers.Add("X-Flexype-Authorization", secret == "default" ? stack.WebhookSecret : secret);
        }
        if (eventId is not null)
        {
            request.Headers.Add("X-Event-Id", eventId);
        }
        if (version is not null)
        {
            request.Headers.Add("X-Webhook-Version", version);
        }
        if (clientAddress is not null)
        {
            request.Headers.Add("X-Forwarded-For", clientAddress);
        }

        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        return http.SendAsync(request, cts.Token);
    }

    /// <summary>A small, valid 2026-05 ACR body for the given id.</summary>
    public static string AcrBody(string eventId, string email = "shopper@example.com", string state = "INITIATED") => $$"""
        { "event_time": "2026-05-07T10:00:00Z", "event_type": "ACR_CHECKOUT", "event_id": "{{eventId}}",
          "store": { "id": "store_01", "name": "Test Store", "shopify_domain": "test-store.myshopify.com" },
          "payload": { "user": { "email": "{{email}}", "dial_code": "91", "phone": "9876543210" },
                       "checkout_url": "https://test-store.myshopify.com/?flx_s={{eventId}}-checkout", "session_state": "{{state}}",
                       "total_payable": 630, "cart_items": [ { "title": "Brownie", "price": 630, "quantity": 1 } ] } }
        """;

    public async Task<JsonElement?> GetEventAsync(string eventId, string? store = null)
    {
        using var response = await Admin(HttpMethod.Get, $"/api/events/{Uri.EscapeDataString(eventId)}" + (store is null ? "" : $"?store={store}"));
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
    }

    public async Task<List<JsonElement>> ListEventsAsync(string query)
    {
        using var response = await Admin(HttpMethod.Get, $"/api/events?{query}");
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<List<JsonElement>>())!;
    }

    public async Task<List<JsonElement>> RejectedDeliveriesAsync()
    {
        using var response = await Admin(HttpMethod.Get, "/api/rejected-deliveries?limit=1000");
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<List<JsonElement>>())!;
    }

    public Task<HttpResponseMessage> Admin(HttpMethod method, string path, string? key = null)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key ?? stack.AdminApiKey);
        return http.SendAsync(request);
    }

    public void Dispose() => http.Dispose();
}
