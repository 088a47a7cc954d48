using System.Text.Json;
using FlexyPe.Ingest;
using FlexyPe.Ingest.Parsing;

namespace FlexyPe.Recovery.UnitTests.Ingest;

/// <summary>The normalized event says which class of device the shopper used, and never the user agent or IP it came from.</summary>
public sealed class DeviceClassTests
{
    private const string IPhoneSafari = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";

    [Theory]
    [InlineData("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/137.0.0.0 Safari/537.36", "desktop")]
    [InlineData("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36 Edg/126.0", "desktop")]
    [InlineData(IPhoneSafari, "mobile")]
    [InlineData("Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36", "mobile")]
    [InlineData("Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1", "tablet")]
    [InlineData("Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36", "tablet")]
    [InlineData("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "bot")]
    [InlineData("Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36 (compatible; Googlebot/2.1)", "bot")]
    [InlineData("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/126.0 Safari/537.36", "bot")]
    [InlineData("Mozilla/5.0", "unknown")]
    [InlineData("", null)]
    [InlineData(null, null)]
    public void User_agent_is_classified(string? userAgent, string? expected)
        => Assert.Equal(expected, DeviceClassifier.Classify(userAgent));

    [Fact]
    public void Normalized_event_carries_the_device_class_and_not_the_user_agent_or_ip()
    {
        using var body = JsonDocument.Parse($$"""
            { "event_time": "2026-05-07T10:00:00Z", "event_type": "ACR_CHECKOUT", "event_id": "evt_device",
              "store": { "shopify_domain": "my-store.myshopify.com" },
              "payload": { "user": { "email": "john.doe@example.com" }, "session_state": "ADDRESS_LOADED", "total_payable": 630,
                           "checkout_url": "https://my-store.myshopify.com/?flx_s=abc",
                           "client_meta": { "client_ip": "203.0.113.7", "user_agent": "{{IPhoneSafari}}" } } }
            """);
        var delivery = new WebhookDelivery(body.RootElement, "evt_device", "2026-05", null, DateTimeOffset.UnixEpoch);

        var json = IngestJson.Serialize(FlexyPeEventParser.Parse(delivery, "evt_device"));

        using var normalized = JsonDocument.Parse(json);
        Assert.Equal("mobile", normalized.RootElement.At("device.class"));
        Assert.DoesNotContain("iPhone", json, StringComparison.Ordinal);
        Assert.DoesNotContain("203.0.113.7", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Event_without_a_user_agent_has_no_device_section()
    {
        using var body = JsonDocument.Parse("""
            { "merchant_id": "m1", "shopify_domain": "flexype.myshopify.com", "user": { "email": "a@example.com" },
              "client_meta": { "client_ip": "1.1.1.1" }, "pages": ["https://flexype.io/p/1"] }
            """);
        var delivery = new WebhookDelivery(body.RootElement, "evt_no_ua", "2025-09", null, DateTimeOffset.UnixEpoch);

        using var normalized = JsonDocument.Parse(IngestJson.Serialize(FlexyPeEventParser.Parse(delivery, "evt_no_ua")));

        Assert.Equal(JsonValueKind.Null, normalized.RootElement.GetProperty("device").ValueKind);
    }
}
