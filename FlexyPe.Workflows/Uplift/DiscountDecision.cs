using System.Globalization;

namespace FlexyPe.Workflows.Uplift;

/// <summary>Who decided whether a step's discount is offered.</summary>
public static class DecisionSources
{
    /// <summary>The store's uplift model.</summary>
    public const string Model = "model";
    /// <summary>The step's own rule: its discount is offered as configured (no model, or the model may not decide yet).</summary>
    public const string Rule = "rule";
    /// <summary>The enrollment's randomized arm (<see cref="DiscountArms.ExploreOffer"/> or <see cref="DiscountArms.ExploreWithhold"/>).</summary>
    public const string Exploration = "exploration";
}

/// <summary>
/// Whether a step's discount is offered, recorded on the step and shown on the enrollment's timeline. The model's
/// version and probabilities are recorded whenever a ready model was asked, in the exploration arms too (that is how
/// the model's estimates are checked against them later); <see cref="ModelWouldOffer"/> is what the model said before
/// the cap or the arm had their say.
/// </summary>
public sealed record DiscountDecision(
    bool Offered,
    string Source,
    string Reason,
    int? ModelVersion = null,
    double? PWith = null,
    double? PWithout = null,
    bool? ModelWouldOffer = null)
{
    public double? Uplift => PWith - PWithout;
}

/// <summary>The step being fired, as the decision needs it.</summary>
/// <param name="HasDiscount">The step carries a discount (a code in its message).</param>
/// <param name="DiscountCost">What the discount costs the store on this order, in the store's currency.</param>
public sealed record DiscountStep(bool HasDiscount, decimal DiscountCost);

/// <summary>The store's model decisions so far in the cap's window, and how many of them offered.</summary>
public sealed record OfferCapUsage(int Decisions, int Offers)
{
    public static readonly OfferCapUsage None = new(0, 0);
}

/// <summary>
/// Decides whether a step's discount is offered. In order:
/// <list type="number">
/// <item>a step without a discount offers none;</item>
/// <item>the randomized arms get what their arm says;</item>
/// <item>without a model that may decide (none yet, below the data thresholds, features that are not numbers, no cart
/// value) the step's rule stands: its discount is offered, and the reason says why the model did not decide;</item>
/// <item>the model offers when the discount pays for itself:
/// <c>p_with × (margin × value − discount) &gt; p_without × margin × value</c>, that is, the uplift times the margin
/// kept beats the discount's cost on the shoppers who would have bought anyway;</item>
/// <item>and only while fewer than the cap's share of the store's model decisions offered.</item>
/// </list>
/// Pure: the caller brings the model, the settings and the cap usage, and records the decision. Never throws.
/// </summary>
public static class DiscountDecider
{
    public static DiscountDecision Decide(
        string? arm, DiscountStep step, RecoveryFeatures features, UpliftModel? model, UpliftSettings settings, OfferCapUsage usage)
    {
        var decision = DecideCore(arm, step, features, model, settings, usage);
        UpliftTelemetry.Decisions.Add(1, new KeyValuePair<string, object?>("source", decision.Source),
            new KeyValuePair<string, object?>("offered", decision.Offered));
        return decision;
    }

    private static DiscountDecision DecideCore(
        string? arm, DiscountStep step, RecoveryFeatures features, UpliftModel? model, UpliftSettings settings, OfferCapUsage usage)
    {
        if (!step.HasDiscount)
        {
            return new(false, DecisionSources.Rule, "the step has no discount");
        }

        var value = (double)features.CartValue;
        var cost = (double)step.DiscountCost;
        var margin = settings.MarginKept;
        string? whyNot = settings.Problem() is { } settingsProblem ? $"the store's uplift settings are not usable: {settingsProblem}"
            : model is null ? "no model trained for this store yet"
            : ModelReadiness.WhyNotReady(model.Info, settings.Thresholds)
                ?? (features.FirstNonFinite() is { } bad ? $"feature {bad} is not a number: the model cannot score this enrollment"
                : features.CartValueMissing > 0 || value <= 0 ? "the cart's value is unknown: the discount's worth cannot be weighed"
                : cost < 0 || !double.IsFinite(cost) ? "the step's discount has no usable worth (a percentage or an amount off): its cost cannot be weighed"
                : null);

        UpliftPrediction? prediction = null;
        if (whyNot is null)
        {
            prediction = model!.Predict(features);
            if (!double.IsFinite(prediction.PWith) || !double.IsFinite(prediction.PWithout))
            {
                whyNot = $"model v{model.Info.Version} gave no probability for this enrollment";
                prediction = null;
            }
        }
        var version = prediction is null ? (int?)null : model!.Info.Version;
        var withDiscount = prediction is null ? 0 : prediction.PWith * (margin * value - cost);
        var withoutDiscount = prediction is null ? 0 : prediction.PWithout * margin * value;
        bool? modelWouldOffer = prediction is null ? null : withDiscount > withoutDiscount;
        var weighed = prediction is null ? "" : string.Create(CultureInfo.InvariantCulture,
            $"p_with {prediction.PWith:0.000} × (margin {margin:0.##} × value {value:0.##} − discount {cost:0.##}) = {withDiscount:0.##}, p_without {prediction.PWithout:0.000} × {margin:0.##} × {value:0.##} = {withoutDiscount:0.##}");

        DiscountDecision Record(bool offered, string source, string reason)
            => new(offered, source, reason, version, prediction?.PWith, prediction?.PWithout, modelWouldOffer);

        switch (arm)
        {
            case DiscountArms.ExploreOffer:
                return Record(true, DecisionSources.Exploration, "randomized arm explore_offer: given the discount at random, to learn and check its effect");
            case DiscountArms.ExploreWithhold:
                return Record(false, DecisionSources.Exploration, "randomized arm explore_withhold: denied the discount at random, to learn and check its effect");
        }
        if (whyNot is not null)
        {
            return Record(true, DecisionSources.Rule, "the step's rule stands (discount offered): " + whyNot);
        }
        if (modelWouldOffer != true)
        {
            return Record(false, DecisionSources.Model, $"model v{version}: the discount does not pay for itself ({weighed})");
        }
        // Offer while the offers so far stay under the cap's share of decisions, this one included.
        if (usage.Offers >= settings.OfferCap * (usage.Decisions + 1))
        {
            return Record(false, DecisionSources.Model, string.Create(CultureInfo.InvariantCulture,
                $"model v{version} would offer ({weighed}), but the store's offer cap is reached: {usage.Offers} of {usage.Decisions} decisions offered, cap {settings.OfferCap:0.##%}"));
        }
        return Record(true, DecisionSources.Model, $"model v{version}: the discount pays for itself ({weighed})");
    }
}
