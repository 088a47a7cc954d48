using System.Net;
using System.Security.Cryptography;
using System.Text;
using FlexyPe.Recovery.StackTests.Ingest;
using FlexyPe.Recovery.StackTests.Notifier;
using FlexyPe.Recovery.StackTests.Workflows;
using Npgsql;

namespace FlexyPe.Recovery.StackTests.EndToEnd;

/// <summary>The whole system as FlexyPe and a shopper see it: a webhook in, an email out, one trace between them.</summary>
[Collection(WorkflowsStackCollection.Name)]
public sealed class WebhookToEmailTests(WorkflowsStack stack)
{
    [Fact]
    public async Task An_abandoned_checkout_webhook_becomes_a_recovery_email_in_the_same_trace()
    {
        var eventId = IngestClient.NewEventId();
        var email = $"priya-{Guid.NewGuid():N}@example.com";
        var checkoutUrl = $"https://e2e-store.myshopify.com/?flx_s={Guid.NewGuid()}";
        var traceId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var body = $$"""
            { "event_time": "2026-05-07T10:00:00Z", "event_type": "ACR_CHECKOUT", "event_id": "{{eventId}}",
              "store": { "id": "store_e2e", "name": "E2E Bakery", "shopify_domain": "e2e-store.myshopify.com" },
              "payload": { "user": { "email": "{{email}}", "first_name": "Priya", "dial_code": "91", "phone": "9876543210" },
                           "checkout_url": "{{checkoutUrl}}", "session_state": "PAYMENT_LOADED", "total_payable": 630,
                           "cart_items": [ { "title": "Walnut Brownie", "price": 630, "quantity": 1 } ] } }
            """;

        using (var ingest = stack.CreateHttpClient("ingest"))
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/flexype") { Content = new StringContent(body, Encoding.UTF8, "application/json") })
        {
            request.Headers.Add("X-Flexype-Authorization", stack.WebhookSecret);
            request.Headers.Add("X-Webhook-Version", "2026-05");
            request.Headers.Add("X-Event-Id", eventId);
            // FlexyPe's request as the start of the trace.
            request.Headers.Add("traceparent", $"00-{traceId}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}-01");
            using var response = await ingest.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        // The first step is due an hour later, a second of compressed time; the email lands in smtp4dev.
        using var mailHttp = stack.App.CreateHttpClient("mail", "http");
        var mail = new MailSink(mailHttp);
        // Later steps follow seconds apart in compressed time, so look for the first step's email among them.
        const string firstStepSubject = "Priya, you left something in your cart";
        var message = (await Eventually.GetAsync<System.Text.Json.JsonElement?>(async () =>
        {
            var arrived = await mail.MessagesToAsync(email);
            return arrived.Where(m => m.GetProperty("subject").GetString() == firstStepSubject).Cast<System.Text.Json.JsonElement?>().FirstOrDefault();
        }, $"the first recovery email to {email} in smtp4dev"))!.Value;
        var id = message.GetProperty("id").GetString()!;
        var html = await mail.HtmlAsync(id);
        Assert.Contains("Walnut Brownie", html, StringComparison.Ordinal);
        Assert.Contains("₹630.00", html, StringComparison.Ordinal);
        // The button's link is tracked (the default); following it lands on the checkout.
        var button = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(html).QuerySelector("a.button-link")!.GetAttribute("href")!;
        using (var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = stack.App.GetEndpoint("notifier", "http") })
        using (var redirect = await browser.GetAsync(new Uri(button).PathAndQuery))
        {
            Assert.Equal(HttpStatusCode.Redirect, redirect.StatusCode);
            Assert.Equal(checkoutUrl, redirect.Headers.Location!.OriginalString);
        }
        Assert.Contains("List-Unsubscribe:", await mail.RawAsync(id), StringComparison.Ordinal);

        // Notifier sent it inside the trace FlexyPe's POST started: Ingest → Workflows → (the step, later) → Notifier.
        await using var connection = new NpgsqlConnection(await stack.App.GetConnectionStringAsync("notifierdb"));
        await connection.OpenAsync();
        await using var query = new NpgsqlCommand("SELECT trace_parent FROM message_requests WHERE \"to\" = $1", connection)
        {
            Parameters = { new() { Value = email } },
        };
        var traceParent = (string?)await query.ExecuteScalarAsync();
        Assert.NotNull(traceParent);
        Assert.Equal(traceId, traceParent.Split('-')[1]);
    }
}
