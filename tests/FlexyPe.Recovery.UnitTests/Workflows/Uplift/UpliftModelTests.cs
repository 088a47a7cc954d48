using FlexyPe.Workflows.Uplift;

namespace FlexyPe.Recovery.UnitTests.Workflows.Uplift;

/// <summary>The recovery-uplift model trained on planted shoppers: it finds who the discount persuades, and survives storage.</summary>
[Collection(PlantedModelCollection.Name)]
public sealed class UpliftModelTests(PlantedModel planted)
{
    [Fact]
    public void Uplift_model_ranks_planted_persuadables_above_sure_things()
    {
        var fresh = PlantedShoppers.Generate(900, seed: 99, prefix: "fresh");
        var uplift = planted.Model.PredictMany([.. fresh.Select(s => s.Features)]).Select(p => p.Uplift).ToList();

        var persuadables = fresh.Select((s, i) => (s, u: uplift[i])).Where(x => x.s.Type == ShopperType.Persuadable).Select(x => x.u).ToList();
        var sureThings = fresh.Select((s, i) => (s, u: uplift[i])).Where(x => x.s.Type == ShopperType.SureThing).Select(x => x.u).ToList();

        // The chance that a random persuadable is ranked above a random sure-thing.
        var pairs = persuadables.SelectMany(p => sureThings.Select(s => p > s ? 1.0 : p == s ? 0.5 : 0.0)).Average();
        Assert.True(pairs > 0.85, $"a persuadable ranks above a sure-thing in {pairs:P1} of pairs");
        Assert.True(persuadables.Average() > sureThings.Average() + 0.3,
            $"mean uplift: persuadables {persuadables.Average():0.000}, sure-things {sureThings.Average():0.000}");
    }

    [Fact]
    public void Trained_model_records_what_it_was_trained_on_and_how_it_did_on_held_out_enrollments()
    {
        var info = planted.Model.Info;

        Assert.Equal(3, info.Version);
        Assert.Equal(PlantedModel.Store, info.StoreId);
        Assert.Equal(PlantedModel.TrainedAt, info.TrainedAt);
        Assert.Equal(RecoveryFeatures.SchemaVersion, info.FeatureSchemaVersion);
        Assert.Equal(4_000, info.TrainingSize + info.HeldOutSize);
        Assert.InRange(info.HeldOutSize, 600, 1_000);   // a fifth, by the hash of each enrollment's key
        Assert.Equal(planted.HeldOut.Count, info.HeldOutSize);
        Assert.True(info.HeldOutAuc > 0.8, $"held-out AUC {info.HeldOutAuc:0.000}");
        // The Qini's "perfect" ranking puts every recovered, discounted enrollment first, sure-things included, which no
        // model can know; the bar is the ranking by the planted types' true uplift (persuadables first).
        var types = planted.Shoppers.ToDictionary(s => s.Key, s => s.Type);
        var oracle = UpliftMetrics.Qini([.. planted.HeldOut.Select(e => (types[e.Key] == ShopperType.Persuadable ? 0.8 : 0.0, e.DiscountOffered, e.Recovered))]);
        Assert.True(info.Qini > 0.8 * oracle, $"held-out Qini {info.Qini:0.000}, the true uplift's {oracle:0.000}");
        Assert.True(info.RecoveriesWithDiscount > info.RecoveriesWithoutDiscount);
    }

    [Fact]
    public void Model_round_trips_through_its_bytes_and_predicts_the_same()
    {
        var bytes = planted.Model.ToBytes();

        var loaded = UpliftModel.TryLoad(bytes, out var reason);

        Assert.Null(reason);
        Assert.NotNull(loaded);
        Assert.Equal(planted.Model.Info, loaded.Info);
        foreach (var shopper in planted.Shoppers.Take(50))
        {
            var before = planted.Model.Predict(shopper.Features);
            var after = loaded.Predict(shopper.Features);
            Assert.Equal(before.PWith, after.PWith, 6);
            Assert.Equal(before.PWithout, after.PWithout, 6);
        }
    }

    [Fact]
    public void Single_and_batch_predictions_agree()
    {
        var shoppers = planted.Shoppers.Take(20).ToList();

        var batch = planted.Model.PredictMany([.. shoppers.Select(s => s.Features)]);

        for (var i = 0; i < shoppers.Count; i++)
        {
            Assert.Equal(planted.Model.Predict(shoppers[i].Features).PWith, batch[i].PWith, 6);
        }
    }

    [Theory]
    [InlineData(new byte[0], "no model bytes")]
    [InlineData(new byte[] { 1, 2, 3, 4 }, "could not be read")]
    public void Bytes_that_are_not_a_model_give_a_reason_instead_of_an_exception(byte[] bytes, string expected)
    {
        var loaded = UpliftModel.TryLoad(bytes, out var reason);

        Assert.Null(loaded);
        Assert.Contains(expected, reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Model_trained_on_another_feature_schema_is_not_loaded_and_says_why()
    {
        // The stored model as it would be after the features changed meaning: its info says schema 0.
        using var buffer = new MemoryStream();
        buffer.Write(planted.Model.ToBytes());
        using (var zip = new System.IO.Compression.ZipArchive(buffer, System.IO.Compression.ZipArchiveMode.Update, leaveOpen: true))
        {
            var entry = zip.GetEntry("info.json")!;
            string info;
            using (var reader = new StreamReader(entry.Open()))
            {
                info = reader.ReadToEnd();
            }
            entry.Delete();
            using var writer = new StreamWriter(zip.CreateEntry("info.json").Open());
            writer.Write(info.Replace($"\"feature_schema_version\":{RecoveryFeatures.SchemaVersion}", "\"feature_schema_version\":0", StringComparison.Ordinal));
        }

        var loaded = UpliftModel.TryLoad(buffer.ToArray(), out var reason);

        Assert.Null(loaded);
        Assert.Equal($"model v3 was trained on feature schema 0; this build reads schema {RecoveryFeatures.SchemaVersion}: it must be retrained", reason);
    }

    [Fact]
    public void Current_model_measured_on_a_new_models_held_out_split_scores_like_its_own()
    {
        var auc = UpliftTrainer.HeldOutAuc(planted.Model, planted.HeldOut);

        Assert.Equal(planted.Model.Info.HeldOutAuc, auc, 3);
    }
}

/// <summary>Bad training input: a clear reason, no model, nothing thrown.</summary>
public sealed class UpliftTrainingInputTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 3, 0, 0, TimeSpan.Zero);
    private static readonly UpliftTrainingOptions Fast = PlantedModel.Options;

    [Fact]
    public void Empty_store_gives_a_clear_reason()
    {
        var result = UpliftTrainer.Train(new UpliftTrainingSet("empty.myshopify.com", [], 0), 1, Now, Fast);

        Assert.False(result.Trained);
        Assert.Equal("no finished enrollments in the randomized arms yet", result.Reason);
    }

    [Fact]
    public void Training_set_with_one_class_only_gives_a_clear_reason()
    {
        var examples = PlantedShoppers.Generate(400, seed: 3)
            .Select((s, i) => new UpliftExample(s.Key, s.Features, DiscountOffered: i % 2 == 0, Recovered: false)).ToList();

        var result = UpliftTrainer.Train(new UpliftTrainingSet("store", examples, 400), 1, Now, Fast);

        Assert.False(result.Trained);
        Assert.Equal("none of the 200 enrollments in the explore_offer arm was recovered: one class, nothing to learn", result.Reason);
    }

    [Fact]
    public void Training_set_with_one_arm_only_gives_a_clear_reason()
    {
        var examples = PlantedShoppers.AsRandomizedArms(PlantedShoppers.Generate(300, seed: 3), seed: 4)
            .Select(e => e with { DiscountOffered = true }).ToList();

        var result = UpliftTrainer.Train(new UpliftTrainingSet("store", examples, 300), 1, Now, Fast);

        Assert.False(result.Trained);
        Assert.Equal("no finished enrollments in the explore_withhold arm yet", result.Reason);
    }

    [Fact]
    public void Training_set_of_NaN_features_only_gives_a_clear_reason()
    {
        var examples = PlantedShoppers.AsRandomizedArms(PlantedShoppers.Generate(50, seed: 3), seed: 4)
            .Select(e => e with { Features = e.Features with { CartValue = float.NaN } }).ToList();

        var result = UpliftTrainer.Train(new UpliftTrainingSet("store", examples, 50), 1, Now, Fast);

        Assert.False(result.Trained);
        Assert.Equal("all 50 enrollments of the randomized arms have features that are not numbers (NaN or infinite)", result.Reason);
    }

    [Fact]
    public void Enrollments_with_NaN_features_are_left_out_and_counted()
    {
        var examples = PlantedShoppers.AsRandomizedArms(PlantedShoppers.Generate(1_200, seed: 5), seed: 6)
            .Select((e, i) => i < 30 ? e with { Features = e.Features with { HourOfDay = float.PositiveInfinity } } : e).ToList();

        var result = UpliftTrainer.Train(new UpliftTrainingSet("store", examples, 1_200), 1, Now, Fast);

        Assert.True(result.Trained, result.Reason);
        Assert.Equal(30, result.DroppedNonFinite);
        Assert.Equal(1_170, result.Model!.Info.TrainingSize + result.Model.Info.HeldOutSize);
    }
}
