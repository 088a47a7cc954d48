using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using FlexyPe.Recovery.StackTests.Ingest;

namespace FlexyPe.Recovery.StackTests.Proxied;

/// <summary>An email sent by the deployed services carries the public unsubscribe link, and that link works through the proxy.</summary>
[Collection(ProxiedStackCollection.Name)]
public sealed class UnsubscribeThroughProxyTests(ProxiedStack stack)
{
    [Fact]
    public async Task The_unsubscribe_link_in_a_sent_email_is_the_public_one_and_one_click_works_through_the_proxy()
    {
        var email = $"shopper-{Guid.NewGuid():N}@example.com";
        using var flexype = stack.ClientFrom("127.0.0.51", stack.IngestPublicUrl);
        using (var delivered = await stack.DeliverAsync(flexype, stack.WebhookSecret, IngestClient.AcrBody($"evt_{Guid.NewGuid():N}", email)))
        {
            Assert.Equal(HttpStatusCode.OK, delivered.StatusCode);
        }

        var message = await Eventually.GetAsync(() => Task.FromResult(stack.Smtp.MessagesTo(email) is [var first, ..] ? first : null),
            $"the recovery email to {email}");
        var header = message.Headers["List-Unsubscribe"] ?? "";
        var link = header[1..header.IndexOf('>', StringComparison.Ordinal)];

        Assert.StartsWith($"{stack.NotifierPublicUrl}/unsubscribe/", link, StringComparison.Ordinal);
        Assert.Contains($"href=\"{link}\"", message.HtmlBody ?? "", StringComparison.Ordinal);

        // RFC 8058 one-click, as a mailbox provider sends it, from its own address, through the proxy.
        using var mailbox = stack.ClientFrom("127.0.0.52", stack.NotifierPublicUrl);
        using var unsubscribed = await mailbox.PostAsync(new Uri(link), new FormUrlEncodedContent([new("List-Unsubscribe", "One-Click")]));

        Assert.Equal(HttpStatusCode.OK, unsubscribed.StatusCode);
        Assert.Contains("You are unsubscribed", await unsubscribed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var notifier = stack.ClientFrom("127.0.0.53", stack.NotifierPublicUrl);
        notifier.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", stack.AdminApiKey);
        var suppressions = await notifier.GetFromJsonAsync<List<JsonElement>>($"/api/suppressions?email={Uri.EscapeDataString(email)}");
        var suppression = Assert.Single(suppressions!);
        Assert.Equal("unsubscribed", suppression.GetProperty("reason").GetString());
    }
}
