using System.Net;
using System.Text;
using System.Text.Json;
using FlexyPe.Recovery.StackTests.Ingest;
using FlexyPe.Recovery.StackTests.Notifier;
using FlexyPe.Recovery.StackTests.Workflows;
using MimeKit;

namespace FlexyPe.Recovery.StackTests.EndToEnd;

/// <summary>
/// What a shopper types (their name) travels from FlexyPe's webhook into an email's subject and body. There it stays
/// text: a name carrying CR/LF and a header adds no header and no recipient, and markup in it arrives escaped.
/// </summary>
[Collection(WorkflowsStackCollection.Name)]
public sealed class ShopperTextTests(WorkflowsStack stack)
{
    [Fact]
    public async Task A_name_with_line_breaks_and_markup_arrives_as_text_in_the_subject_and_the_body()
    {
        var eventId = IngestClient.NewEventId();
        var email = $"mallory-{Guid.NewGuid():N}@example.com";
        var victim = $"victim-{Guid.NewGuid():N}@example.com";
        var firstName = $"Mallory\r\nBcc: {victim}\r\nX-Injected: yes\r\n\r\n<b>body</b>";
        const string lastName = "<script>alert(1)</script>\"><img src=x onerror=alert(2)>";
        var body = JsonSerializer.Serialize(new
        {
            event_time = "2026-05-07T10:00:00Z", event_type = "CUSTOMER_CREATED", event_id = eventId,
            store = new { id = "store_text", name = "Text\r\nBcc: " + victim, shopify_domain = "text-store.myshopify.com" },
            payload = new { user = new { email, first_name = firstName, last_name = lastName, full_name = firstName + " " + lastName } },
        });

        using (var ingest = stack.CreateHttpClient("ingest"))
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/flexype") { Content = new StringContent(body, Encoding.UTF8, "application/json") })
        {
            request.Headers.Add("X-Flexype-Authorization", stack.WebhookSecret);
            request.Headers.Add("X-Webhook-Version", "2026-05");
            request.Headers.Add("X-Event-Id", eventId);
            using var response = await ingest.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        // The welcome sequence's first step is due at once (its second follows a few seconds later: not that one).
        using var mailHttp = stack.App.CreateHttpClient("mail", "http");
        var mail = new MailSink(mailHttp);
        var arrived = (await Eventually.GetAsync<JsonElement?>(async () => (await mail.MessagesToAsync(email))
            .Where(m => m.GetProperty("subject").GetString()!.StartsWith("Welcome to", StringComparison.Ordinal))
            .Cast<JsonElement?>().FirstOrDefault(), $"the welcome email to {email}"))!.Value;
        var id = arrived.GetProperty("id").GetString()!;

        // One recipient: the shopper. Nothing reached the address in the name.
        Assert.Equal([email], arrived.GetProperty("to").EnumerateArray().Select(t => t.GetString()!.Trim('<', '>')));
        Assert.Empty(await mail.MessagesToAsync(victim));

        var raw = await mail.RawAsync(id);
        var message = await MimeMessage.LoadAsync(new MemoryStream(Encoding.UTF8.GetBytes(raw)));
        Assert.Empty(message.Bcc);
        Assert.DoesNotContain(message.Headers, h => h.Field is "Bcc" or "X-Injected");
        // The header section ends at the first empty line; the name may well be on a line of its own in the body.
        var headerLines = raw[..raw.IndexOf("\r\n\r\n", StringComparison.Ordinal)].Split("\r\n");
        Assert.DoesNotContain(headerLines, l => l.StartsWith("Bcc:", StringComparison.OrdinalIgnoreCase) || l.StartsWith("X-Injected:", StringComparison.OrdinalIgnoreCase));
        // The name is in the subject, unfolded onto one line of text.
        Assert.Contains("Mallory", message.Subject, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', message.Subject ?? "");

        var html = message.HtmlBody;
        Assert.DoesNotContain("<script>", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img src=x", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<b>body</b>", html, StringComparison.Ordinal);
        Assert.Contains("&lt;b&gt;body&lt;/b&gt;", html, StringComparison.Ordinal);
    }
}
