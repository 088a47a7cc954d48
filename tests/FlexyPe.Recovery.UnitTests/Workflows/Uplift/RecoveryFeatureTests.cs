using System.Text.Json;
using FlexyPe.Workflows.Uplift;

namespace FlexyPe.Recovery.UnitTests.Workflows.Uplift;

/// <summary>What the model sees of an enrollment, read from the normalized event (docs/hand-offs.md) and the shopper's history.</summary>
public sealed class RecoveryFeatureTests
{
    private static readonly TimeZoneInfo Kolkata = TimeZoneInfo.FindSystemTimeZoneById("Asia/Kolkata");

    // The normalized event of docs/hand-offs.md, with two cart lines.
    private const string Abandoned = """
        {
          "event_id": "evt_123456789", "store_id": "my-store.myshopify.com", "type": "abandoned_checkout", "payload_version": "2026-05",
          "occurred_at": "2026-05-07T10:00:00+00:00", "received_at": "2026-05-07T10:00:01.512+00:00",
          "store": { "id": "store_01", "name": "My Awesome Store", "shopify_domain": "my-store.myshopify.com", "main_domain": "my-store.com" },
          "customer": { "email": "john.doe@example.com", "phone": "+919876543210", "first_name": "John", "last_name": "Doe", "full_name": "John Doe", "shopify_customer_id": null },
          "checkout": { "key": "331d47df-8461-495b-9c4f-27ed915d9c8e", "session_state": "ADDRESS_LOADED",
                        "checkout_url": "https://flexype.myshopify.com/?flx_s=331d47df", "total_payable": 1260, "discount": 70 },
          "cart": [ { "title": "400gms", "price": 630, "quantity": 1 }, { "title": "Walnut", "price": 350, "quantity": 2 } ],
          "session": null, "product": null, "collection": null,
          "utm": { "utm_source": "Facebook_Mobile_Reels", "utm_medium": "Paid_Social" },
          "device": { "class": "mobile" }
        }
        """;

    [Fact]
    public void Features_are_read_from_the_normalized_event()
    {
        using var json = JsonDocument.Parse(Abandoned);

        var f = RecoveryFeatureBuilder.Build(json.RootElement, ShopperHistory.None, Kolkata);

        Assert.Equal(3, f.SessionState);          // ADDRESS_LOADED, the fourth state
        Assert.Equal(1260, f.CartValue);          // total payable, not the cart's sum
        Assert.Equal(0, f.CartValueMissing);
        Assert.Equal(2, f.CartLines);
        Assert.Equal(3, f.CartUnits);
        Assert.Equal(70, f.CheckoutDiscount);
        Assert.Equal(15, f.HourOfDay);            // 10:00 UTC is 15:30 in Kolkata
        Assert.Equal(3, f.DayOfWeek);             // Thursday 7 May 2026, Monday = 0
        Assert.Equal(0, f.Weekend);
        Assert.Equal(1, f.HasUtm);
        Assert.Equal(1, f.UtmSourceMeta);
        Assert.Equal(-1, f.UtmSourceOther);
        Assert.Equal(1, f.UtmMediumPaid);
        Assert.Equal(1, f.DeviceMobile);
        Assert.Equal(0, f.DeviceUnknown);
        Assert.Equal(0, f.Returning);
    }

    [Fact]
    public void Hour_and_weekday_are_the_stores_own()
    {
        using var json = JsonDocument.Parse(Abandoned.Replace("2026-05-07T10:00:00+00:00", "2026-05-09T20:00:00+00:00", StringComparison.Ordinal));

        var f = RecoveryFeatureBuilder.Build(json.RootElement, ShopperHistory.None, Kolkata);

        // Saturday 20:00 UTC is Sunday 01:30 in Kolkata.
        Assert.Equal(1, f.HourOfDay);
        Assert.Equal(6, f.DayOfWeek);
        Assert.Equal(1, f.Weekend);
    }

    [Fact]
    public void History_facts_say_whether_the_shopper_is_returning_and_what_they_did_before()
    {
        using var json = JsonDocument.Parse(Abandoned);

        var f = RecoveryFeatureBuilder.Build(json.RootElement, new ShopperHistory(EarlierPurchases: 2, EarlierRecoveries: 1, EarlierDiscounts: 1, ViewsBeforeAbandoning: 9),
            Kolkata, furthestSessionState: "PAYMENT_INITIATED");

        Assert.Equal(1, f.Returning);
        Assert.Equal(2, f.EarlierPurchases);
        Assert.Equal(1, f.EarlierRecoveries);
        Assert.Equal(1, f.EarlierDiscounts);
        Assert.Equal(9, f.ViewsBeforeAbandoning);
        Assert.Equal(6, f.SessionState);          // the furthest state the enrollment saw, not the latest delivery's
    }

    [Fact]
    public void Missing_sections_give_explicit_missing_values_and_never_NaN()
    {
        using var json = JsonDocument.Parse("""
            { "event_id": "e", "store_id": "s", "type": "abandoned_session", "payload_version": "legacy", "occurred_at": null,
              "received_at": null, "checkout": null, "cart": null, "utm": null, "device": null,
              "session": { "key": "k", "pages": ["https://a", "https://b"] } }
            """);

        var f = RecoveryFeatureBuilder.Build(json.RootElement, ShopperHistory.None, Kolkata);

        Assert.Null(f.FirstNonFinite());
        Assert.Equal(-1, f.SessionState);
        Assert.Equal(-1, f.CartValue);
        Assert.Equal(1, f.CartValueMissing);
        Assert.Equal(-1, f.HourOfDay);
        Assert.Equal(-1, f.DayOfWeek);
        Assert.Equal(0, f.HasUtm);
        Assert.Equal(1, f.DeviceUnknown);
        Assert.Equal(2, f.SessionPages);
    }

    [Fact]
    public void Amounts_that_are_not_numbers_count_as_missing()
    {
        using var json = JsonDocument.Parse("""
            { "checkout": { "session_state": "INITIATED", "total_payable": "NaN", "discount": "Infinity" }, "cart": null }
            """);

        var f = RecoveryFeatureBuilder.Build(json.RootElement, ShopperHistory.None, Kolkata);

        Assert.Null(f.FirstNonFinite());
        Assert.Equal(1, f.CartValueMissing);
        Assert.Equal(0, f.CheckoutDiscount);
    }

    [Fact]
    public void Unnamed_utm_sources_fall_in_a_stable_hashed_bucket()
    {
        using var a = JsonDocument.Parse("""{ "utm": { "utm_source": "sharechat", "utm_medium": "cpc" } }""");
        using var b = JsonDocument.Parse("""{ "utm": { "utm_source": "sharechat" } }""");

        var first = RecoveryFeatureBuilder.Build(a.RootElement, ShopperHistory.None, Kolkata);
        var second = RecoveryFeatureBuilder.Build(b.RootElement, ShopperHistory.None, Kolkata);

        Assert.InRange(first.UtmSourceOther, 0, RecoveryFeatures.UtmSourceBuckets - 1);
        Assert.Equal(first.UtmSourceOther, second.UtmSourceOther);
        Assert.Equal(0, first.UtmSourceMeta + first.UtmSourceGoogle + first.UtmSourceEmail + first.UtmSourceWhatsApp);
        Assert.Equal(1, first.UtmMediumPaid);
    }

    [Fact]
    public void Vector_has_one_value_per_named_column()
    {
        var f = new RecoveryFeatures { CartValue = 500, DeviceBot = 1 };

        Assert.Equal(RecoveryFeatures.Count, RecoveryFeatures.Columns.Count);
        Assert.Equal(RecoveryFeatures.Count, RecoveryFeatures.Columns.Select(c => c.Name).Distinct().Count());
        var vector = f.ToVector();
        Assert.Equal(500, vector[RecoveryFeatures.Columns.ToList().FindIndex(c => c.Name == "cart_value")]);
        Assert.Equal(1, vector[RecoveryFeatures.Columns.ToList().FindIndex(c => c.Name == "device_bot")]);
    }
}
