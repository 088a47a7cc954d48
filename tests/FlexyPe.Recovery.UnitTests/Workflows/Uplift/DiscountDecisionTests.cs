using FlexyPe.Workflows.Uplift;

namespace FlexyPe.Recovery.UnitTests.Workflows.Uplift;

/// <summary>Whether a step's discount is offered: by the model when it may decide, else by the step's own rule, and always saying why.</summary>
[Collection(PlantedModelCollection.Name)]
public sealed class DiscountDecisionTests(PlantedModel planted)
{
    private static readonly UpliftSettings Defaults = new();
    private static readonly DiscountStep TenPercentOff = new(HasDiscount: true, DiscountCost: 150);

    private RecoveryFeatures Persuadable => planted.Shoppers.First(s => s.Type == ShopperType.Persuadable && s.Features.DeviceMobile == 1 && s.Features.UtmMediumPaid == 1).Features with { CartValue = 1500 };
    private RecoveryFeatures SureThing => planted.Shoppers.First(s => s.Type == ShopperType.SureThing && s.Features.Returning == 1 && s.Features.SessionState >= 5).Features with { CartValue = 1500 };

    [Fact]
    public void Decision_records_the_model_version_and_probabilities()
    {
        var decision = DiscountDecider.Decide(DiscountArms.Policy, TenPercentOff, Persuadable, planted.Model, Defaults, OfferCapUsage.None);

        var expected = planted.Model.Predict(Persuadable);
        Assert.Equal(DecisionSources.Model, decision.Source);
        Assert.Equal(3, decision.ModelVersion);
        Assert.Equal(expected.PWith, decision.PWith);
        Assert.Equal(expected.PWithout, decision.PWithout);
        Assert.Equal(expected.Uplift, decision.Uplift!.Value, 9);
    }

    [Fact]
    public void Model_offers_the_discount_to_a_planted_persuadable()
    {
        var decision = DiscountDecider.Decide(DiscountArms.Policy, TenPercentOff, Persuadable, planted.Model, Defaults, OfferCapUsage.None);

        Assert.True(decision.Offered, decision.Reason);
        Assert.StartsWith("model v3: the discount pays for itself", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Model_withholds_the_discount_from_a_planted_sure_thing()
    {
        var decision = DiscountDecider.Decide(DiscountArms.Policy, TenPercentOff, SureThing, planted.Model, Defaults, OfferCapUsage.None);

        Assert.False(decision.Offered, decision.Reason);
        Assert.Equal(DecisionSources.Model, decision.Source);
        Assert.StartsWith("model v3: the discount does not pay for itself", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Model_below_the_data_threshold_is_not_used_and_the_rule_says_why()
    {
        var settings = Defaults with { Thresholds = new UpliftThresholds { MinFinishedEnrollments = 50_000 } };

        var decision = DiscountDecider.Decide(DiscountArms.Policy, TenPercentOff, SureThing, planted.Model, settings, OfferCapUsage.None);

        Assert.True(decision.Offered);
        Assert.Equal(DecisionSources.Rule, decision.Source);
        Assert.Equal("the step's rule stands (discount offered): not enough data yet: model v3 was trained when the store had 20,000 finished enrollments, 50,000 are needed", decision.Reason);
        Assert.Null(decision.ModelVersion);
        Assert.Null(decision.PWith);
    }

    [Fact]
    public void Model_trained_on_too_few_enrollments_for_the_default_threshold_is_not_used()
    {
        var small = UpliftTrainer.Train(
            new UpliftTrainingSet("small.myshopify.com", PlantedShoppers.AsRandomizedArms(PlantedShoppers.Generate(600, seed: 11), seed: 12), FinishedEnrollments: 640),
            version: 1, PlantedModel.TrainedAt, PlantedModel.Options).Model!;

        var decision = DiscountDecider.Decide(DiscountArms.Policy, TenPercentOff, SureThing, small, Defaults, OfferCapUsage.None);

        Assert.Equal(DecisionSources.Rule, decision.Source);
        Assert.True(decision.Offered);
        Assert.Contains("640 finished enrollments, 1,000 are needed", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Model_short_of_recoveries_in_an_arm_is_not_used()
    {
        var settings = Defaults with { Thresholds = new UpliftThresholds { MinRecoveriesPerArm = 5_000 } };

        var decision = DiscountDecider.Decide(DiscountArms.Policy, TenPercentOff, SureThing, planted.Model, settings, OfferCapUsage.None);

        Assert.Equal(DecisionSources.Rule, decision.Source);
        Assert.Contains("recoveries among shoppers given the discount at random (explore_offer), 5,000 are needed", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Model_below_the_auc_threshold_is_not_used()
    {
        var settings = Defaults with { Thresholds = new UpliftThresholds { MinHeldOutAuc = 0.999 } };

        var decision = DiscountDecider.Decide(DiscountArms.Policy, TenPercentOff, SureThing, planted.Model, settings, OfferCapUsage.None);

        Assert.Equal(DecisionSources.Rule, decision.Source);
        Assert.Contains("model v3 is not accurate enough: held-out AUC", decision.Reason, StringComparison.Ordinal);
        Assert.EndsWith("at least 0.999 is needed", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_store_without_a_model_keeps_the_steps_rule()
    {
        var decision = DiscountDecider.Decide(DiscountArms.Policy, TenPercentOff, SureThing, model: null, Defaults, OfferCapUsage.None);

        Assert.Equal(new DiscountDecision(true, DecisionSources.Rule, "the step's rule stands (discount offered): no model trained for this store yet"), decision);
    }

    [Fact]
    public void NaN_features_keep_the_steps_rule_and_name_the_feature()
    {
        var decision = DiscountDecider.Decide(DiscountArms.Policy, TenPercentOff, SureThing with { ViewsBeforeAbandoning = float.NaN },
            planted.Model, Defaults, OfferCapUsage.None);

        Assert.Equal(DecisionSources.Rule, decision.Source);
        Assert.True(decision.Offered);
        Assert.Equal("the step's rule stands (discount offered): feature views_before_abandoning is not a number: the model cannot score this enrollment", decision.Reason);
    }

    [Fact]
    public void Unknown_cart_value_keeps_the_steps_rule()
    {
        var decision = DiscountDecider.Decide(DiscountArms.Policy, TenPercentOff, SureThing with { CartValue = -1, CartValueMissing = 1 },
            planted.Model, Defaults, OfferCapUsage.None);

        Assert.Equal(DecisionSources.Rule, decision.Source);
        Assert.EndsWith("the cart's value is unknown: the discount's worth cannot be weighed", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Offer_cap_withholds_once_the_stores_share_of_offers_is_reached()
    {
        var capped = DiscountDecider.Decide(DiscountArms.Policy, TenPercentOff, Persuadable, planted.Model, Defaults with { OfferCap = 0.3 }, new OfferCapUsage(Decisions: 100, Offers: 31));
        var under = DiscountDecider.Decide(DiscountArms.Policy, TenPercentOff, Persuadable, planted.Model, Defaults with { OfferCap = 0.3 }, new OfferCapUsage(Decisions: 100, Offers: 29));

        Assert.False(capped.Offered);
        Assert.True(capped.ModelWouldOffer);
        Assert.Contains("the store's offer cap is reached: 31 of 100 decisions offered, cap 30%", capped.Reason, StringComparison.Ordinal);
        Assert.True(under.Offered);
    }

    [Theory]
    [InlineData(DiscountArms.ExploreOffer, true)]
    [InlineData(DiscountArms.ExploreWithhold, false)]
    public void Randomized_arms_get_what_their_arm_says_and_still_record_the_models_estimate(string arm, bool offered)
    {
        var decision = DiscountDecider.Decide(arm, TenPercentOff, offered ? SureThing : Persuadable, planted.Model, Defaults, OfferCapUsage.None);

        Assert.Equal(offered, decision.Offered);
        Assert.Equal(DecisionSources.Exploration, decision.Source);
        Assert.Equal(3, decision.ModelVersion);
        Assert.NotNull(decision.PWith);
        Assert.Equal(!offered, decision.ModelWouldOffer);
        Assert.StartsWith("randomized arm " + arm, decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Step_without_a_discount_offers_none()
    {
        var decision = DiscountDecider.Decide(DiscountArms.ExploreOffer, new DiscountStep(false, 0), Persuadable, planted.Model, Defaults, OfferCapUsage.None);

        Assert.Equal(new DiscountDecision(false, DecisionSources.Rule, "the step has no discount"), decision);
    }

    [Fact]
    public void Lower_margin_makes_the_discount_harder_to_justify()
    {
        // Same shopper, same discount: at a thin margin the discount costs more of what the shopper would bring.
        var shopper = planted.Shoppers
            .Select(s => s.Features with { CartValue = 1000 })
            .First(f => planted.Model.Predict(f) is { PWith: > 0.5 } p && p.PWith * (1000 - 150) > p.PWithout * 1000 && p.PWith * (200 - 150) < p.PWithout * 200);

        var atFullMargin = DiscountDecider.Decide(DiscountArms.Policy, TenPercentOff, shopper, planted.Model, Defaults with { MarginKept = 1.0 }, OfferCapUsage.None);
        var atThinMargin = DiscountDecider.Decide(DiscountArms.Policy, TenPercentOff, shopper, planted.Model, Defaults with { MarginKept = 0.2 }, OfferCapUsage.None);

        Assert.True(atFullMargin.Offered, atFullMargin.Reason);
        Assert.False(atThinMargin.Offered, atThinMargin.Reason);
    }

    [Fact]
    public void Settings_out_of_range_keep_the_steps_rule()
    {
        var decision = DiscountDecider.Decide(DiscountArms.Policy, TenPercentOff, SureThing, planted.Model, Defaults with { MarginKept = double.NaN }, OfferCapUsage.None);

        Assert.Equal(DecisionSources.Rule, decision.Source);
        Assert.EndsWith("the store's uplift settings are not usable: margin_kept must be above 0 and at most 1", decision.Reason, StringComparison.Ordinal);
    }
}
