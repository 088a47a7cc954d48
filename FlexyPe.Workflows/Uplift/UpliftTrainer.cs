using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Trainers.FastTree;

namespace FlexyPe.Workflows.Uplift;

/// <summary>One finished enrollment of a randomized arm: what the model saw, whether it got the discount, whether it came back.</summary>
/// <param name="Key">The enrollment's stable identity; it decides the held-out split, the same in every training.</param>
public sealed record UpliftExample(string Key, RecoveryFeatures Features, bool DiscountOffered, bool Recovered);

/// <summary>What a training is given: the store's randomized-arm enrollments and how many it finished in all.</summary>
public sealed record UpliftTrainingSet(string StoreId, IReadOnlyList<UpliftExample> Examples, int FinishedEnrollments);

/// <summary>How the learners are fitted. The defaults train 50,000 enrollments in seconds on two cores.</summary>
public sealed record UpliftTrainingOptions
{
    public int Trees { get; init; } = 100;
    public int Leaves { get; init; } = 16;
    public int MinExamplesPerLeaf { get; init; } = 50;
    public double LearningRate { get; init; } = 0.1;
    /// <summary>The share of enrollments kept aside to measure the model, chosen by a hash of the enrollment's key.</summary>
    public double HeldOutShare { get; init; } = 0.2;
    public int Seed { get; init; } = 20261127;
}

/// <summary>
/// A training's result: a model, or the reason there is none, in words. <see cref="HeldOut"/> is the split the model
/// was measured on, so the current model can be measured on the same enrollments before the new one replaces it.
/// </summary>
public sealed record UpliftTrainingResult(UpliftModel? Model, string? Reason, IReadOnlyList<UpliftExample> HeldOut, int DroppedNonFinite)
{
    public bool Trained => Model is not null;
}

/// <summary>
/// Trains a store's <see cref="UpliftModel"/> from its randomized arms only (the discount given or denied at random),
/// so the difference between the two learners is the discount's effect and not the step rule's or an earlier model's
/// choices. Bad input (nothing to learn from, one class only, NaN features) gives a reason, never an exception.
/// </summary>
public static class UpliftTrainer
{
    public static UpliftTrainingResult Train(UpliftTrainingSet set, int version, DateTimeOffset trainedAt, UpliftTrainingOptions? options = null)
    {
        options ??= new UpliftTrainingOptions();
        using var activity = UpliftTelemetry.Source.StartActivity("uplift.train");
        activity?.SetTag("flexype.store.id", set.StoreId);
        activity?.SetTag("flexype.uplift.version", version);
        var started = Stopwatch.GetTimestamp();

        var result = TrainCore(set, version, trainedAt, options);

        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        activity?.SetTag("flexype.uplift.examples", set.Examples.Count);
        activity?.SetTag("flexype.uplift.dropped_non_finite", result.DroppedNonFinite);
        if (result.Model is { } model)
        {
            activity?.SetTag("flexype.uplift.auc", model.Info.HeldOutAuc);
            activity?.SetTag("flexype.uplift.qini", model.Info.Qini);
        }
        else
        {
            activity?.SetTag("flexype.uplift.not_trained", result.Reason);
        }
        UpliftTelemetry.TrainingSeconds.Record(seconds, new KeyValuePair<string, object?>("trained", result.Trained));
        return result;
    }

    private static UpliftTrainingResult TrainCore(UpliftTrainingSet set, int version, DateTimeOffset trainedAt, UpliftTrainingOptions options)
    {
        var usable = set.Examples.Where(e => e.Features.FirstNonFinite() is null).ToList();
        var dropped = set.Examples.Count - usable.Count;
        UpliftTrainingResult Fail(string reason, IReadOnlyList<UpliftExample>? heldOut = null)
            => new(null, reason, heldOut ?? [], dropped);

        if (usable.Count == 0)
        {
            return Fail(set.Examples.Count == 0
                ? "no finished enrollments in the randomized arms yet"
                : $"all {N(dropped)} enrollments of the randomized arms have features that are not numbers (NaN or infinite)");
        }
        var offered = usable.Where(e => e.DiscountOffered).ToList();
        var withheld = usable.Where(e => !e.DiscountOffered).ToList();
        if ((OneArmProblem(offered, DiscountArms.ExploreOffer) ?? OneArmProblem(withheld, DiscountArms.ExploreWithhold)) is { } armProblem)
        {
            return Fail(armProblem);
        }

        var heldOut = usable.Where(e => IsHeldOut(e, options.HeldOutShare)).ToList();
        var training = usable.Where(e => !IsHeldOut(e, options.HeldOutShare)).ToList();
        var heldOutOffered = heldOut.Where(e => e.DiscountOffered).ToList();
        var heldOutWithheld = heldOut.Where(e => !e.DiscountOffered).ToList();
        if ((HeldOutProblem(heldOutOffered, DiscountArms.ExploreOffer) ?? HeldOutProblem(heldOutWithheld, DiscountArms.ExploreWithhold)) is { } heldOutProblem)
        {
            return Fail(heldOutProblem, heldOut);
        }
        var trainingOffered = training.Where(e => e.DiscountOffered).ToList();
        var trainingWithheld = training.Where(e => !e.DiscountOffered).ToList();
        if ((OneArmProblem(trainingOffered, DiscountArms.ExploreOffer, "after the held-out split, ")
            ?? OneArmProblem(trainingWithheld, DiscountArms.ExploreWithhold, "after the held-out split, ")) is { } splitProblem)
        {
            return Fail(splitProblem, heldOut);
        }

        var context = new MLContext(options.Seed);
        var withDiscount = Fit(context, trainingOffered, options);
        var withoutDiscount = Fit(context, trainingWithheld, options);

        var (aucWith, aucWithout, auc, qini) = Measure(withDiscount, withoutDiscount, context, heldOutOffered, heldOutWithheld, heldOut);
        var info = new UpliftModelInfo
        {
            StoreId = set.StoreId, Version = version, TrainedAt = trainedAt,
            TrainingSize = training.Count, HeldOutSize = heldOut.Count, FinishedEnrollments = set.FinishedEnrollments,
            RecoveriesWithDiscount = offered.Count(e => e.Recovered), RecoveriesWithoutDiscount = withheld.Count(e => e.Recovered),
            HeldOutAuc = auc, HeldOutAucWithDiscount = aucWith, HeldOutAucWithoutDiscount = aucWithout, Qini = qini,
        };
        return new UpliftTrainingResult(new UpliftModel(info, withDiscount, withoutDiscount), null, heldOut, dropped);
    }

    /// <summary>
    /// AUC of a model on held-out enrollments, each scored by the learner of the arm it was in: how the current model is
    /// measured on a new model's held-out split before the new one may replace it. NaN when a class is missing.
    /// </summary>
    public static double HeldOutAuc(UpliftModel model, IReadOnlyList<UpliftExample> heldOut)
    {
        var usable = heldOut.Where(e => e.Features.FirstNonFinite() is null).ToList();
        if (usable.Count == 0)
        {
            return double.NaN;
        }
        var predictions = model.PredictMany([.. usable.Select(e => e.Features)]);
        return UpliftMetrics.Auc([.. usable.Select(e => e.Recovered)],
            [.. usable.Select((e, i) => (float)(e.DiscountOffered ? predictions[i].PWith : predictions[i].PWithout))]);
    }

    /// <summary>Whether an enrollment is in the held-out split: by a hash of its key, so it is held out in every training.</summary>
    public static bool IsHeldOut(UpliftExample example, double share) => Holdout.UnitInterval("uplift-split", example.Key) < share;

    private static ITransformer Fit(MLContext context, List<UpliftExample> examples, UpliftTrainingOptions options)
    {
        var data = context.Data.LoadFromEnumerable(examples.Select(e => new UpliftRow { Features = e.Features.ToVector(), Label = e.Recovered }).ToList());
        var trainer = context.BinaryClassification.Trainers.FastTree(new FastTreeBinaryTrainer.Options
        {
            LabelColumnName = nameof(UpliftRow.Label),
            FeatureColumnName = nameof(UpliftRow.Features),
            NumberOfTrees = options.Trees,
            NumberOfLeaves = options.Leaves,
            // Small stores have small arms: a leaf never needs more than a tenth of them.
            MinimumExampleCountPerLeaf = Math.Max(2, Math.Min(options.MinExamplesPerLeaf, examples.Count / 10)),
            LearningRate = options.LearningRate,
            Seed = options.Seed,
        });
        ITransformer learner = trainer.Fit(data);
        return learner;
    }

    private static (double AucWith, double AucWithout, double Auc, double Qini) Measure(
        ITransformer withDiscount, ITransformer withoutDiscount, MLContext context,
        List<UpliftExample> heldOutOffered, List<UpliftExample> heldOutWithheld, List<UpliftExample> heldOut)
    {
        float[] Scores(ITransformer learner, List<UpliftExample> rows)
            => UpliftModel.Probabilities(learner, context.Data.LoadFromEnumerable(rows.Select(e => new UpliftRow { Features = e.Features.ToVector() }).ToList()));

        var offeredScores = Scores(withDiscount, heldOutOffered);
        var withheldScores = Scores(withoutDiscount, heldOutWithheld);
        var aucWith = UpliftMetrics.Auc([.. heldOutOffered.Select(e => e.Recovered)], offeredScores);
        var aucWithout = UpliftMetrics.Auc([.. heldOutWithheld.Select(e => e.Recovered)], withheldScores);
        var auc = UpliftMetrics.Auc(
            [.. heldOutOffered.Select(e => e.Recovered), .. heldOutWithheld.Select(e => e.Recovered)],
            [.. offeredScores, .. withheldScores]);

        var with = Scores(withDiscount, heldOut);
        var without = Scores(withoutDiscount, heldOut);
        var qini = UpliftMetrics.Qini([.. heldOut.Select((e, i) => ((double)with[i] - without[i], e.DiscountOffered, e.Recovered))]);
        return (aucWith, aucWithout, auc, qini);
    }

    private static string? OneArmProblem(List<UpliftExample> arm, string name, string prefix = "")
    {
        if (arm.Count == 0)
        {
            return $"{prefix}no finished enrollments in the {name} arm yet";
        }
        var recovered = arm.Count(e => e.Recovered);
        return recovered == 0 ? $"{prefix}none of the {N(arm.Count)} enrollments in the {name} arm was recovered: one class, nothing to learn"
            : recovered == arm.Count ? $"{prefix}every one of the {N(arm.Count)} enrollments in the {name} arm was recovered: one class, nothing to learn"
            : null;
    }

    private static string N(int value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string? HeldOutProblem(List<UpliftExample> arm, string name)
        => arm.Count == 0 || arm.All(e => e.Recovered) || !arm.Any(e => e.Recovered)
            ? $"the held-out enrollments of the {name} arm ({N(arm.Count)}) are not both recovered and not: AUC cannot be measured"
            : null;
}
