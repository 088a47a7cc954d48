using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace FlexyPe.Recovery.StackTests.Notifier;

/// <summary>The Notifier's HTTP API as Workflows and operators use it (snake_case JSON, admin key as bearer).</summary>
internal sealed class NotifierClient(HttpClient http, string adminApiKey)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public HttpClient Http => http;

    public static object Request(string key, string to, string subject = "You left something behind",
        string html = "<html><body><p>Your cart is waiting.</p></body></html>", string? text = null, string storeId = "test-store.myshopify.com")
        => new
        {
            idempotency_key = key,
            store_id = storeId,
            store_name = "Test Store",
            to,
            subject,
            html_body = html,
            text_body = text,
            tags = new Dictionary<string, string> { ["sequence"] = "abandoned-checkout", ["step"] = "1" },
        };

    public async Task<HttpResponseMessage> PostRequestAsync(object body)
    {
        using var message = Authorized(HttpMethod.Post, "/api/message-requests");
        message.Content = JsonContent.Create(body);
        return await http.SendAsync(message);
    }

    public async Task<JsonElement> PostJsonAsync(string path, object body)
    {
        using var message = Authorized(HttpMethod.Post, path);
        message.Content = JsonContent.Create(body);
        using var response = await http.SendAsync(message);
        Assert.True(response.IsSuccessStatusCode, $"POST {path} answered {(int)response.StatusCode}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <returns>The id of the stored request.</returns>
    public async Task<string> SendAsync(object body)
    {
        using var response = await PostRequestAsync(body);
        Assert.True(response.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.OK, $"POST /api/message-requests answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    public async Task<JsonElement> GetJsonAsync(string path)
    {
        using var message = Authorized(HttpMethod.Get, path);
        using var response = await http.SendAsync(message);
        Assert.True(response.IsSuccessStatusCode, $"GET {path} answered {(int)response.StatusCode}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public async Task<HttpStatusCode> StatusOfAsync(HttpMethod method, string path)
    {
        using var message = Authorized(method, path);
        using var response = await http.SendAsync(message);
        return response.StatusCode;
    }

    public Task<JsonElement> MessageAsync(string id) => GetJsonAsync($"/api/messages/{id}");

    public async Task<string> StatusAsync(string id)
        => (await MessageAsync(id)).GetProperty("message").GetProperty("status").GetString()!;

    /// <summary>Waits until the request has left <c>pending</c> and returns its final status.</summary>
    public Task<string> FinalStatusAsync(string id, TimeSpan? within = null)
        => Eventually.GetAsync(async () =>
        {
            var status = await StatusAsync(id);
            return status == "pending" ? null : status;
        }, $"message request {id} to leave 'pending'", within);

    public HttpRequestMessage Authorized(HttpMethod method, string path)
    {
        var message = new HttpRequestMessage(method, path);
        message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", adminApiKey);
        return message;
    }
}
