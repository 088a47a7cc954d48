using System.Net.Http.Json;
using System.Text.Json;

namespace FlexyPe.Recovery.StackTests.Notifier;

/// <summary>smtp4dev's REST API: what arrived, as a person reading the mail would see it.</summary>
internal sealed class MailSink(HttpClient http)
{
    public async Task<List<JsonElement>> MessagesToAsync(string address)
    {
        var page = await http.GetFromJsonAsync<JsonElement>("/api/messages?pageSize=5000");
        return page.GetProperty("results").EnumerateArray()
            .Where(m => m.GetProperty("to").EnumerateArray().Any(t => t.GetString()!.Contains(address, StringComparison.OrdinalIgnoreCase)))
            .ToList();
    }

    public async Task<JsonElement> OneMessageToAsync(string address)
    {
        var messages = await Eventually.GetAsync(async () =>
        {
            var found = await MessagesToAsync(address);
            return found.Count > 0 ? found : null;
        }, $"a message to {address} in smtp4dev");
        return messages[0];
    }

    public Task<string> RawAsync(string id) => http.GetStringAsync($"/api/messages/{id}/raw");
    public Task<string> HtmlAsync(string id) => http.GetStringAsync($"/api/messages/{id}/html");
    public Task<string> PlainTextAsync(string id) => http.GetStringAsync($"/api/messages/{id}/plaintext");
}
