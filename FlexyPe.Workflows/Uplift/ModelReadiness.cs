using System.Globalization;

namespace FlexyPe.Workflows.Uplift;

/// <summary>
/// Whether a store's model has seen enough to decide (Klaviyo's predictive features likewise wait for enough data):
/// below the thresholds the step's own rule stands, and the reason says which threshold is not met.
/// </summary>
public static class ModelReadiness
{
    /// <summary>Why the model may not decide yet, in words; null when it may.</summary>
    public static string? WhyNotReady(UpliftModelInfo info, UpliftThresholds thresholds)
    {
        var model = $"model v{info.Version}";
        if (info.FeatureSchemaVersion != RecoveryFeatures.SchemaVersion)
        {
            return $"{model} was trained on feature schema {info.FeatureSchemaVersion}, this build reads {RecoveryFeatures.SchemaVersion}: it must be retrained";
        }
        if (info.FinishedEnrollments < thresholds.MinFinishedEnrollments)
        {
            return $"not enough data yet: {model} was trained when the store had {N(info.FinishedEnrollments)} finished enrollments, {N(thresholds.MinFinishedEnrollments)} are needed";
        }
        if (info.RecoveriesWithDiscount < thresholds.MinRecoveriesPerArm)
        {
            return $"not enough data yet: {model} saw {N(info.RecoveriesWithDiscount)} recoveries among shoppers given the discount at random ({DiscountArms.ExploreOffer}), {N(thresholds.MinRecoveriesPerArm)} are needed";
        }
        if (info.RecoveriesWithoutDiscount < thresholds.MinRecoveriesPerArm)
        {
            return $"not enough data yet: {model} saw {N(info.RecoveriesWithoutDiscount)} recoveries among shoppers denied the discount at random ({DiscountArms.ExploreWithhold}), {N(thresholds.MinRecoveriesPerArm)} are needed";
        }
        if (double.IsNaN(info.HeldOutAuc) || info.HeldOutAuc < thresholds.MinHeldOutAuc)
        {
            return $"{model} is not accurate enough: held-out AUC {info.HeldOutAuc.ToString("0.000", CultureInfo.InvariantCulture)}, at least {thresholds.MinHeldOutAuc.ToString("0.000", CultureInfo.InvariantCulture)} is needed";
        }
        return null;
    }

    private static string N(int value) => value.ToString("N0", CultureInfo.InvariantCulture);
}

/// <summary>Whether a newly trained model replaces the store's current one, and why.</summary>
public sealed record PromotionDecision(bool Promote, string Reason);

/// <summary>
/// A new model replaces the current one only if its held-out AUC is at least as good. The current model is measured
/// on the new model's held-out enrollments where it can be (same enrollments, a fair comparison; the split is by a hash
/// of the enrollment, so neither model was trained on them); else its own recorded AUC is the bar.
/// </summary>
public static class ModelPromotion
{
    /// <param name="currentAucOnCandidateHeldOut">The current model's AUC on the candidate's held-out split (<see cref="UpliftTrainer.HeldOutAuc"/>), when it could be measured.</param>
    public static PromotionDecision Decide(UpliftModelInfo candidate, UpliftModelInfo? current, double? currentAucOnCandidateHeldOut = null)
    {
        var auc = candidate.HeldOutAuc;
        if (double.IsNaN(auc))
        {
            return new(false, $"model v{candidate.Version} has no held-out AUC");
        }
        if (current is null)
        {
            return new(true, $"model v{candidate.Version} is the store's first (held-out AUC {F(auc)})");
        }
        var measuredOnSame = currentAucOnCandidateHeldOut is { } same && !double.IsNaN(same);
        var bar = measuredOnSame ? currentAucOnCandidateHeldOut!.Value : current.HeldOutAuc;
        var basis = measuredOnSame ? "on the same held-out enrollments" : "as recorded when it was trained";
        if (double.IsNaN(bar))
        {
            return new(true, $"model v{candidate.Version} (held-out AUC {F(auc)}) replaces v{current.Version}, whose AUC is unknown");
        }
        return auc >= bar
            ? new(true, $"model v{candidate.Version} replaces v{current.Version}: held-out AUC {F(auc)} ≥ {F(bar)} {basis}")
            : new(false, $"model v{candidate.Version} is not promoted: held-out AUC {F(auc)} < v{current.Version}'s {F(bar)} {basis}");
    }

    private static string F(double value) => value.ToString("0.000", CultureInfo.InvariantCulture);
}
