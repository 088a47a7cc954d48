using System.Text;
using System.Text.Json;
using FlexyPe.Workflows.Uplift;

namespace AiDecisionsBench;

public enum ShopperType { SureThing, Persuadable, LostCause }

/// <summary>
/// One abandoned checkout of the planted store: its normalized event (as Ingest hands it to Workflows), the shopper's
/// history, the planted type, and both potential outcomes (with the discount and without), drawn once.
/// </summary>
public sealed record PlantedShopper(
    string Key, ShopperType Type, string NormalizedEvent, ShopperHistory History, decimal CartValue,
    bool BuysWithDiscount, bool BuysWithout);

/// <summary>
/// A store whose shoppers are of three planted kinds: sure-things buy whether or not they get the discount,
/// persuadables buy (mostly) only with it, lost causes (almost) never buy. The kind is drawn from what the events
/// carry (a softmax over the features below) so a model can learn it, with overlap so it cannot be read off one field:
/// returning shoppers far into the checkout lean sure-thing; new shoppers from paid social on a phone with a larger cart
/// and a history of discounts lean persuadable; bots and barely-started checkouts lean lost.
/// </summary>
public sealed class PlantedStore(int seed)
{
    public const string StoreId = "planted.myshopify.com";
    public const decimal DiscountShare = 0.20m;   // the step's discount: 20% off the cart

    /// <summary>How strongly the features decide the kind (the logits' scale): higher is easier to learn.</summary>
    private const double Sharpness = 3;

    private static readonly string[] States =
        ["INITIATED", "PHONE_ENTERED", "OTP_VERIFIED", "ADDRESS_LOADED", "ADDRESS_SHIPPING_SELECTED", "PAYMENT_LOADED", "PAYMENT_INITIATED"];
    private static readonly double[] StateWeights = [0.14, 0.16, 0.16, 0.18, 0.14, 0.12, 0.10];
    private static readonly (string? Source, string? Medium, double Weight)[] Utms =
    [
        (null, null, 0.30), ("Facebook_Mobile_Reels", "Paid_Social", 0.22), ("instagram", "paid_social", 0.13),
        ("google", "cpc", 0.15), ("klaviyo", "email", 0.10), ("whatsapp", "referral", 0.05), ("sharechat", "influencer", 0.05),
    ];
    private static readonly (string? Device, double Weight)[] Devices =
        [("desktop", 0.34), ("mobile", 0.50), ("tablet", 0.07), ("bot", 0.05), (null, 0.04)];
    private static readonly DateTimeOffset Start = new(2026, 9, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly Random random = new(seed);

    public PlantedShopper Next(string key)
    {
        var returning = random.NextDouble() < 0.35;
        var history = new ShopperHistory(
            EarlierPurchases: returning ? 1 + random.Next(5) : 0,
            EarlierRecoveries: returning ? random.Next(3) : 0,
            EarlierDiscounts: random.NextDouble() < (returning ? 0.5 : 0.15) ? 1 + random.Next(2) : 0,
            ViewsBeforeAbandoning: Poisson(4));
        var state = Pick(StateWeights);
        var (source, medium, _) = Utms[Pick([.. Utms.Select(u => u.Weight)])];
        var device = Devices[Pick([.. Devices.Select(d => d.Weight)])].Device;
        var lines = 1 + Poisson(0.8);
        var value = Math.Round((decimal)(Math.Exp(Normal(Math.Log(1200), 0.6)) * (0.8 + 0.2 * lines)), 0);
        var occurredAt = Start.AddMinutes(random.Next(60 * 24 * 60));
        var hourInKolkata = (occurredAt.UtcDateTime.Hour + 5.5) % 24;

        var paidSocial = medium is not null && medium.Contains("social", StringComparison.OrdinalIgnoreCase);
        var sure = -0.3 + Sharpness * (2.0 * B(returning) + 0.7 * (state - 3) + 0.6 * history.EarlierRecoveries + 0.6 * B(device == "desktop")
            + 0.5 * B(source == "klaviyo") - 0.8 * B(paidSocial) + 0.03 * history.ViewsBeforeAbandoning);
        var persuadable = -3.5 + Sharpness * (1.2 * B(!returning) + 1.0 * Math.Log((double)value / 1200) + 1.4 * B(paidSocial)
            + 0.8 * B(device == "mobile") + 1.0 * Math.Min(history.EarlierDiscounts, 2) + 0.5 * B(state is >= 2 and <= 5) + 0.4 * B(hourInKolkata >= 20));
        var lost = 1.0 + Sharpness * (4.0 * B(device == "bot") + 1.6 * B(state <= 1) - 0.08 * history.ViewsBeforeAbandoning - 0.8 * B(returning));
        var type = (ShopperType)Pick([Math.Exp(sure), Math.Exp(persuadable), Math.Exp(lost)]);
        var (with, without) = type switch
        {
            ShopperType.SureThing => (Chance(0.88), Chance(0.88)),
            ShopperType.Persuadable => (Chance(0.75), Chance(0.06)),
            _ => (Chance(0.03), Chance(0.03)),
        };
        return new PlantedShopper(key, type, Event(key, state, value, lines, source, medium, device, occurredAt), history, value, with, without);
    }

    /// <summary>The normalized event, in the shape of docs/hand-offs.md (only the parts the features read vary).</summary>
    private string Event(string key, int state, decimal value, int lines, string? source, string? medium, string? device, DateTimeOffset occurredAt)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("event_id", "evt_" + key);
            json.WriteString("store_id", StoreId);
            json.WriteString("type", "abandoned_checkout");
            json.WriteString("payload_version", "2026-05");
            json.WriteString("occurred_at", occurredAt);
            json.WriteString("received_at", occurredAt.AddSeconds(1));
            json.WriteStartObject("checkout");
            json.WriteString("key", key);
            json.WriteString("session_state", States[state]);
            json.WriteNumber("total_payable", value);
            json.WriteNumber("discount", 0);
            json.WriteEndObject();
            json.WriteStartArray("cart");
            var left = value;
            for (var i = 0; i < lines; i++)
            {
                var price = i == lines - 1 ? left : Math.Round(value / lines, 0);
                left -= price;
                json.WriteStartObject();
                json.WriteString("title", $"Product {random.Next(40)}");
                json.WriteNumber("price", price);
                json.WriteNumber("quantity", 1);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            if (source is null)
            {
                json.WriteNull("utm");
            }
            else
            {
                json.WriteStartObject("utm");
                json.WriteString("utm_source", source);
                json.WriteString("utm_medium", medium);
                json.WriteEndObject();
            }
            if (device is null)
            {
                json.WriteNull("device");
            }
            else
            {
                json.WriteStartObject("device");
                json.WriteString("class", device);
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static double B(bool value) => value ? 1 : 0;

    private bool Chance(double p) => random.NextDouble() < p;

    private int Pick(double[] weights)
    {
        var draw = random.NextDouble() * weights.Sum();
        for (var i = 0; i < weights.Length; i++)
        {
            draw -= weights[i];
            if (draw < 0)
            {
                return i;
            }
        }
        return weights.Length - 1;
    }

    private int Poisson(double mean)
    {
        var (limit, k, p) = (Math.Exp(-mean), 0, 1.0);
        while ((p *= random.NextDouble()) > limit)
        {
            k++;
        }
        return k;
    }

    private double Normal(double mean, double sd)
        => mean + sd * Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
