using FlexyPe.Workflows.Uplift;

namespace FlexyPe.Recovery.UnitTests.Workflows.Uplift;

public enum ShopperType { SureThing, Persuadable, LostCause }

/// <summary>A shopper whose type is planted: what the model should find.</summary>
public sealed record PlantedShopper(string Key, ShopperType Type, RecoveryFeatures Features, bool RecoversWithDiscount, bool RecoversWithout);

/// <summary>
/// A small planted data set (seeded): sure-things (returning, far into the checkout, on a desktop) buy either way;
/// persuadables (new, mid-checkout, on a phone, from paid social) buy only with the discount; lost causes (barely
/// started, or a bot) never do. The features overlap between types, so the model has something to learn.
/// </summary>
public static class PlantedShoppers
{
    public static List<PlantedShopper> Generate(int count, int seed, string prefix = "s")
    {
        var random = new Random(seed);
        var shoppers = new List<PlantedShopper>(count);
        for (var i = 0; i < count; i++)
        {
            var type = (ShopperType)random.Next(3);
            bool Chance(double p) => random.NextDouble() < p;
            var features = type switch
            {
                ShopperType.SureThing => Features(random, returning: Chance(0.8), state: random.Next(4, 7), mobile: Chance(0.3), paid: Chance(0.2), bot: false),
                ShopperType.Persuadable => Features(random, returning: Chance(0.15), state: random.Next(2, 6), mobile: Chance(0.75), paid: Chance(0.75), bot: false),
                _ => Features(random, returning: Chance(0.1), state: random.Next(0, 3), mobile: Chance(0.5), paid: Chance(0.4), bot: Chance(0.3)),
            };
            var (with, without) = type switch
            {
                ShopperType.SureThing => (Chance(0.9), Chance(0.9)),
                ShopperType.Persuadable => (Chance(0.85), Chance(0.05)),
                _ => (Chance(0.02), Chance(0.02)),
            };
            shoppers.Add(new PlantedShopper($"{prefix}{i}", type, features, with, without));
        }
        return shoppers;
    }

    /// <summary>The shoppers as a randomized experiment: half given the discount at random, half denied it.</summary>
    public static List<UpliftExample> AsRandomizedArms(IEnumerable<PlantedShopper> shoppers, int seed)
    {
        var random = new Random(seed);
        return [.. shoppers.Select(s =>
        {
            var offered = random.Next(2) == 0;
            return new UpliftExample(s.Key, s.Features, offered, offered ? s.RecoversWithDiscount : s.RecoversWithout);
        })];
    }

    private static RecoveryFeatures Features(Random random, bool returning, int state, bool mobile, bool paid, bool bot) => new()
    {
        SessionState = state,
        CartValue = (float)Math.Round(300 + random.NextDouble() * 2700),
        CartValueMissing = 0,
        CartLines = random.Next(1, 4),
        CartUnits = random.Next(1, 6),
        Returning = returning ? 1 : 0,
        EarlierPurchases = returning ? random.Next(1, 5) : 0,
        ViewsBeforeAbandoning = random.Next(0, 12),
        HourOfDay = random.Next(24),
        DayOfWeek = random.Next(7),
        HasUtm = paid ? 1 : 0,
        UtmSourceMeta = paid ? 1 : 0,
        UtmMediumPaid = paid ? 1 : 0,
        DeviceMobile = !bot && mobile ? 1 : 0,
        DeviceDesktop = !bot && !mobile ? 1 : 0,
        DeviceBot = bot ? 1 : 0,
        DeviceUnknown = 0,
    };
}

/// <summary>One model trained once on planted shoppers, shared by the tests that need a trained model (training takes a second or two).</summary>
public sealed class PlantedModel
{
    public const string Store = "planted.myshopify.com";

    public PlantedModel()
    {
        Shoppers = PlantedShoppers.Generate(4_000, seed: 7);
        var result = UpliftTrainer.Train(
            new UpliftTrainingSet(Store, PlantedShoppers.AsRandomizedArms(Shoppers, seed: 8), FinishedEnrollments: 20_000),
            version: 3, TrainedAt, Options);
        Model = result.Model ?? throw new InvalidOperationException("the planted model did not train: " + result.Reason);
        HeldOut = result.HeldOut;
    }

    public static readonly DateTimeOffset TrainedAt = new(2026, 11, 27, 3, 0, 0, TimeSpan.Zero);

    /// <summary>Fewer trees than the service's default: the planted signal is strong and the tests must stay fast.</summary>
    public static readonly UpliftTrainingOptions Options = new() { Trees = 40, Leaves = 8, MinExamplesPerLeaf = 20 };

    public List<PlantedShopper> Shoppers { get; }
    public UpliftModel Model { get; }
    public IReadOnlyList<UpliftExample> HeldOut { get; }
}

[CollectionDefinition(Name)]
public sealed class PlantedModelCollection : ICollectionFixture<PlantedModel>
{
    public const string Name = "planted uplift model";
}
