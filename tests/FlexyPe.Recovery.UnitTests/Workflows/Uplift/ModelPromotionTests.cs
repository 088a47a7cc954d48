using FlexyPe.Workflows.Uplift;

namespace FlexyPe.Recovery.UnitTests.Workflows.Uplift;

/// <summary>A new model replaces the current one only if its held-out AUC is at least as good.</summary>
public sealed class ModelPromotionTests
{
    private static UpliftModelInfo Info(int version, double auc) => new()
    {
        StoreId = "my-store.myshopify.com", Version = version, TrainedAt = DateTimeOffset.UnixEpoch,
        TrainingSize = 40_000, HeldOutSize = 10_000, FinishedEnrollments = 200_000,
        RecoveriesWithDiscount = 5_000, RecoveriesWithoutDiscount = 3_000,
        HeldOutAuc = auc, HeldOutAucWithDiscount = auc, HeldOutAucWithoutDiscount = auc, Qini = 0.3,
    };

    [Fact]
    public void Worse_model_is_not_promoted()
    {
        var decision = ModelPromotion.Decide(Info(5, 0.71), Info(4, 0.74));

        Assert.False(decision.Promote);
        Assert.Equal("model v5 is not promoted: held-out AUC 0.710 < v4's 0.740 as recorded when it was trained", decision.Reason);
    }

    [Fact]
    public void Model_as_good_as_the_current_one_is_promoted()
        => Assert.True(ModelPromotion.Decide(Info(5, 0.74), Info(4, 0.74)).Promote);

    [Fact]
    public void Stores_first_model_is_promoted()
    {
        var decision = ModelPromotion.Decide(Info(1, 0.52), current: null);

        Assert.True(decision.Promote);
        Assert.Equal("model v1 is the store's first (held-out AUC 0.520)", decision.Reason);
    }

    [Fact]
    public void Current_model_measured_on_the_same_held_out_enrollments_is_the_bar()
    {
        // Recorded 0.80 on its own split, but only 0.70 on the enrollments the new model was measured on.
        var decision = ModelPromotion.Decide(Info(5, 0.72), Info(4, 0.80), currentAucOnCandidateHeldOut: 0.70);

        Assert.True(decision.Promote);
        Assert.Equal("model v5 replaces v4: held-out AUC 0.720 ≥ 0.700 on the same held-out enrollments", decision.Reason);
    }

    [Fact]
    public void Model_without_a_held_out_auc_is_not_promoted()
        => Assert.False(ModelPromotion.Decide(Info(2, double.NaN), null).Promote);
}
