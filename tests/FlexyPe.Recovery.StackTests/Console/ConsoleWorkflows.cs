using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace FlexyPe.Recovery.StackTests.Console;

/// <summary>What the console tests set up and check behind the browser: sequences and events through the services' APIs.</summary>
public sealed class ConsoleWorkflows(ConsoleStack stack) : IDisposable
{
    private readonly HttpClient workflows = Client(stack, "workflows");
    private readonly HttpClient ingest = stack.CreateHttpClient("ingest");

    private static HttpClient Client(ConsoleStack stack, string service)
    {
        var http = stack.CreateHttpClient(service);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", stack.AdminApiKey);
        return http;
    }

    /// <summary>A sequence of one step made through the API (as a script or another console would); its key.</summary>
    public async Task<string> CreateSequenceAsync(string subject = "Hello {{ customer.first_name }}")
    {
        var key = $"console-{Guid.NewGuid():N}"[..20];
        var body = new JsonObject
        {
            ["key"] = key,
            ["name"] = $"Console test {key}",
            ["trigger"] = "abandoned_checkout",
            ["enabled"] = false,
            ["exit_rules"] = new JsonArray("purchase"),
            ["steps"] = new JsonArray(new JsonObject
            {
                ["delay"] = "01:00:00",
                ["subject"] = subject,
                ["template"] = "<p>Hi {{ customer.first_name }}</p>{% for line in cart %}<p>{{ line.title }} × {{ line.quantity }}</p>{% endfor %}",
            }),
        };
        using var response = await workflows.PostAsync("/api/sequences", new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
        response.EnsureSuccessStatusCode();
        return key;
    }

    public async Task<List<JsonObject>> VersionsAsync(string key)
        => (await workflows.GetFromJsonAsync<List<JsonObject>>($"/api/sequences/{key}/versions"))!;

    public async Task<JsonObject?> StoreSettingsAsync(string storeId)
    {
        using var response = await workflows.GetAsync($"/api/stores/{Uri.EscapeDataString(storeId)}/settings");
        return response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<JsonObject>() : null;
    }

    /// <summary>An ACR delivery as FlexyPe sends it, for one checkout at one store.</summary>
    public async Task DeliverCheckoutAsync(string storeDomain, string checkoutId, string email, string state)
    {
        var eventId = $"evt_{Guid.NewGuid():N}";
        var body = $$"""
            { "event_time": "{{DateTimeOffset.UtcNow:O}}", "event_type": "ACR_CHECKOUT", "event_id": "{{eventId}}",
              "store": { "id": "store_console", "name": "Console Test Store", "shopify_domain": "{{storeDomain}}" },
              "payload": { "user": { "email": "{{email}}", "first_name": "Meera", "dial_code": "91", "phone": "9876543210" },
                           "checkout_url": "https://{{storeDomain}}/?flx_s={{checkoutId}}", "session_state": "{{state}}",
                           "total_payable": 1299, "cart_items": [ { "title": "Saffron Tin", "price": 1299, "quantity": 1 } ] } }
            """;
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/flexype") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Flexype-Authorization", stack.WebhookSecret);
        request.Headers.Add("X-Webhook-Version", "2026-05");
        request.Headers.Add("X-Event-Id", eventId);
        using var response = await ingest.SendAsync(request);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>The shopper's enrollments, once Workflows has taken their events.</summary>
    public Task<List<JsonObject>> EnrollmentsOfAsync(string email, Func<List<JsonObject>, bool> until)
        => Eventually.MatchesAsync(
            async () => (await workflows.GetFromJsonAsync<List<JsonObject>>($"/api/enrollments?email={Uri.EscapeDataString(email)}"))!,
            until, $"the enrollments of {email}");

    public Task WaitForStoreAsync(string storeId)
        => Eventually.TrueAsync(async () => await StoreSettingsAsync(storeId) is not null, $"Workflows to know store {storeId}");

    public void Dispose()
    {
        workflows.Dispose();
        ingest.Dispose();
    }
}
