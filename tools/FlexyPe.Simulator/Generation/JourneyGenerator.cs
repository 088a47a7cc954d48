using Bogus;

namespace FlexyPe.Simulator.Generation;

public sealed record GeneratorOptions
{
    /// <summary>Same seed, run id, version and start: the same journeys, byte for byte.</summary>
    public int Seed { get; init; } = 1;

    /// <summary><c>2026-05</c>, <c>2025-09</c>, <c>legacy</c> or <c>mixed</c> (each journey picks one).</summary>
    public string Version { get; init; } = PayloadVersions.Mixed;

    /// <summary>Part of every event id, so two runs with the same seed do not collide unless they should.</summary>
    public string RunId { get; init; } = "run0";

    /// <summary>When the first journey starts; event times follow from it.</summary>
    public DateTimeOffset Start { get; init; } = new(2026, 5, 7, 10, 0, 0, TimeSpan.Zero);

    public int Stores { get; init; } = 3;

    /// <summary>Share of checkouts that reach <c>COMPLETED</c>.</summary>
    public double CompletionRate { get; init; } = 0.3;
}

/// <summary>
/// Makes realistic shopper journeys (Indian names and phone numbers, as FlexyPe's examples; store catalogues with
/// rupee prices) from one seeded random source, and writes each delivery in the chosen payload version.
/// </summary>
public sealed class JourneyGenerator
{
    private static readonly string[] VariantTitles = ["S", "M", "L", "XL", "250g", "500g", "1kg", "Pack of 2", "Pack of 3", "Default Title"];
    private static readonly string[] StoreWords = ["Masala", "Khadi", "Chai", "Kesar", "Vastra", "Ghar", "Roots", "Bloom", "Urban", "Desi", "Zest", "Aangan"];
    private static readonly string[] StoreKinds = ["Co", "Store", "Studio", "Kitchen", "Living", "Wear", "Organics", "Bazaar"];

    private readonly GeneratorOptions options;

    public string RunId => options.RunId;
    private readonly Faker faker;
    private readonly IReadOnlyList<Store> stores;
    private int journeyIndex;
    private int eventCounter;
    private DateTimeOffset clock;

    public JourneyGenerator(GeneratorOptions options)
    {
        if (!PayloadVersions.IsValidChoice(options.Version))
        {
            throw new ArgumentException($"Unknown payload version '{options.Version}'.", nameof(options));
        }
        this.options = options;
        faker = new Faker("en_IND") { Random = new Randomizer(options.Seed) };
        clock = options.Start;
        stores = Enumerable.Range(0, Math.Max(1, options.Stores)).Select(_ => NewStore()).ToList();
    }

    public IReadOnlyList<Store> Stores => stores;

    public IEnumerable<Journey> Generate(int count)
    {
        for (var i = 0; i < count; i++)
        {
            yield return Next();
        }
    }

    public Journey Next()
    {
        var index = journeyIndex++;
        var version = options.Version == PayloadVersions.Mixed ? faker.PickRandom(PayloadVersions.All) : options.Version;
        var store = faker.PickRandom<Store>(stores);
        var shopper = NewShopper();
        var roll = faker.Random.Double();
        var kind = roll < 0.45 ? JourneyKind.Browsing : roll < 0.85 ? JourneyKind.Checkout : JourneyKind.NewCustomer;

        // Journeys start a little apart, as shoppers arrive.
        clock = clock.AddSeconds(faker.Random.Int(1, 90));
        var writer = new PayloadWriter(version, store, shopper, faker);
        var events = kind switch
        {
            JourneyKind.Browsing => Browsing(index, writer, store),
            JourneyKind.Checkout => Checkout(index, writer, store),
            _ => NewCustomer(index, writer, store),
        };
        return new Journey(index, kind, version, store, shopper, events);
    }

    private List<SimulatedEvent> Browsing(int journey, PayloadWriter writer, Store store)
    {
        var events = new List<SimulatedEvent>();
        var time = clock;
        var pages = new List<string> { $"https://{store.MainDomain}/" };
        var viewed = new List<Product>();
        var views = faker.Random.Int(1, 5);
        for (var i = 0; i < views; i++)
        {
            time = time.AddSeconds(faker.Random.Int(15, 180));
            if (faker.Random.Bool(0.3f))
            {
                var collection = faker.PickRandom<Collection>(store.Collections);
                pages.Add($"https://{store.MainDomain}/collections/{collection.Handle}");
                // Product and collection views are documented for 2026-05 only; older versions carry them in the ASR's pages.
                if (writer.HasBrowsingEvents)
                {
                    events.Add(Event(journey, EventKind.CollectionViewed, writer, time, writer.CollectionViewed(NextEventId(), time, collection)));
                }
            }
            else
            {
                var product = faker.PickRandom<Product>(store.Catalog);
                viewed.Add(product);
                pages.Add($"https://{store.MainDomain}/products/{product.Handle}");
                if (writer.HasBrowsingEvents)
                {
                    events.Add(Event(journey, EventKind.ProductViewed, writer, time, writer.ProductViewed(NextEventId(), time, product)));
                }
            }
        }

        // ASR: 15 minutes after the last activity, with no checkout opened.
        var lastActivity = time;
        var asrTime = lastActivity.AddMinutes(15);
        var cart = viewed.Where(_ => faker.Random.Bool(0.4f)).Distinct().Select(p => new CartLine(p, 1, 0)).ToList();
        events.Add(Event(journey, EventKind.AbandonedSession, writer, asrTime, writer.AbandonedSession(NextEventId(), asrTime, lastActivity, pages, cart)));
        return events;
    }

    private List<SimulatedEvent> Checkout(int journey, PayloadWriter writer, Store store)
    {
        var events = new List<SimulatedEvent>();
        var time = clock;
        var lines = faker.PickRandom(store.Catalog, faker.Random.Int(1, 3))
            .Select(p => new CartLine(p, faker.Random.WeightedRandom([1, 2, 3], [0.75f, 0.2f, 0.05f]), 0))
            .ToList();
        if (writer.HasBrowsingEvents)
        {
            foreach (var line in lines.Where(_ => faker.Random.Bool(0.6f)))
            {
                time = time.AddSeconds(faker.Random.Int(15, 120));
                events.Add(Event(journey, EventKind.ProductViewed, writer, time, writer.ProductViewed(NextEventId(), time, line.Product)));
            }
        }

        var sessionId = faker.Random.Guid().ToString();
        var cartDiscount = faker.Random.Bool(0.3f) ? Math.Round(lines.Sum(l => l.Product.Price * l.Quantity) * 0.1m, 0) : 0m;

        // The furthest state the shopper reaches, and the updates FlexyPe delivers on the way (always the first and the last).
        var furthest = faker.Random.Int(0, CheckoutStates.Progress.Length - 1);
        var states = CheckoutStates.Progress.Take(furthest + 1)
            .Where((_, i) => i == 0 || i == furthest || faker.Random.Bool(0.5f))
            .ToList();
        if (faker.Random.Double() < options.CompletionRate)
        {
            states.Add(CheckoutStates.Completed);
        }

        foreach (var state in states)
        {
            time = time.AddSeconds(faker.Random.Int(20, 150));
            var body = writer.AbandonedCheckout(NextEventId(), time, sessionId, state, lines, cartDiscount);
            events.Add(Event(journey, EventKind.AbandonedCheckout, writer, time, body, sessionId, state));
        }
        return events;
    }

    private List<SimulatedEvent> NewCustomer(int journey, PayloadWriter writer, Store store)
    {
        var time = clock.AddSeconds(faker.Random.Int(5, 60));
        var events = new List<SimulatedEvent>
        {
            Event(journey, EventKind.NewCustomer, writer, time, writer.NewCustomer(NextEventId(), time)),
        };
        if (writer.HasBrowsingEvents && faker.Random.Bool(0.5f))
        {
            time = time.AddSeconds(faker.Random.Int(10, 90));
            events.Add(Event(journey, EventKind.ProductViewed, writer, time, writer.ProductViewed(NextEventId(), time, faker.PickRandom<Product>(store.Catalog))));
        }
        return events;
    }

    private SimulatedEvent Event(int journey, EventKind kind, PayloadWriter writer, DateTimeOffset time, (string Id, string Body) delivery,
        string? checkoutKey = null, string? state = null) =>
        new(delivery.Id, journey, kind, writer.Version, time, writer.StoreDomain, writer.Email, checkoutKey, state, delivery.Body);

    private string NextEventId() => $"evt_{options.RunId}_{eventCounter++:x6}";

    private Store NewStore()
    {
        var name = $"{faker.PickRandom(StoreWords)} {faker.PickRandom(StoreKinds)}";
        var slug = Slug(name) + "-" + faker.Random.AlphaNumeric(4);
        var catalog = Enumerable.Range(0, 12).Select(_ =>
        {
            var title = faker.Commerce.ProductName();
            var price = faker.Random.Int(2, 60) * 50m - 1m;
            return new Product(
                faker.Random.Long(7_000_000_000_000, 7_999_999_999_999),
                faker.Random.Long(41_000_000_000_000, 41_999_999_999_999),
                title,
                faker.PickRandom(VariantTitles),
                Slug(title) + "-" + faker.Random.Int(10, 99),
                price,
                faker.Random.Bool(0.4f) ? Math.Round(price * 1.2m, 0) : null,
                $"https://cdn.shopify.com/s/files/1/0598/4564/0276/files/{Slug(title)}.jpg?v={faker.Random.Int(1_700_000_000, 1_760_000_000)}");
        }).DistinctBy(p => p.Handle).ToList();
        var collections = Enumerable.Range(0, 4).Select(_ =>
        {
            var collection = faker.Commerce.Department() + " " + faker.PickRandom("Collection", "Edit", "Picks", "Sale");
            return new Collection(faker.Random.Long(100_000_000_000, 499_999_999_999), collection, Slug(collection),
                $"https://cdn.shopify.com/s/files/1/0598/4564/0276/collections/{Slug(collection)}.jpg");
        }).DistinctBy(c => c.Handle).ToList();
        return new Store(faker.Random.Guid().ToString(), name, slug + ".myshopify.com", slug + ".in", catalog, collections);
    }

    private Shopper NewShopper()
    {
        var first = faker.Name.FirstName();
        var last = faker.Name.LastName();
        // Some identified shoppers gave only a phone number.
        var email = faker.Random.Bool(0.9f) ? faker.Internet.Email(first, last).ToLowerInvariant() : null;
        var phone = faker.Random.Int(6, 9).ToString(System.Globalization.CultureInfo.InvariantCulture) + faker.Random.ReplaceNumbers("#########");
        var (city, state) = faker.PickRandom(Cities);
        return new Shopper(first, last, email, phone, "91", city, state, faker.Random.ReplaceNumbers("######"),
            $"gid://shopify/Customer/{faker.Random.Long(6_000_000_000_000, 7_999_999_999_999)}");
    }

    private static readonly (string City, string State)[] Cities =
    [
        ("Mumbai", "Maharashtra"), ("Pune", "Maharashtra"), ("Bengaluru", "Karnataka"), ("Chennai", "Tamil Nadu"), ("Hyderabad", "Telangana"),
        ("Vadodara", "Gujarat"), ("Ahmedabad", "Gujarat"), ("Jaipur", "Rajasthan"), ("Kolkata", "West Bengal"), ("New Delhi", "Delhi"),
        ("Kochi", "Kerala"), ("Lucknow", "Uttar Pradesh"),
    ];

    internal static string Slug(string text) =>
        System.Text.RegularExpressions.Regex.Replace(text.ToLowerInvariant(), "[^a-z0-9]+", "-").Trim('-');
}
