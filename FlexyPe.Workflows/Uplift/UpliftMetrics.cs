using Microsoft.ML;

namespace FlexyPe.Workflows.Uplift;

/// <summary>How good a model is, measured on enrollments it was not trained on.</summary>
public static class UpliftMetrics
{
    private static readonly MLContext Context = new();
    private static readonly Lock ContextLock = new();

    /// <summary>
    /// Area under the ROC curve of <paramref name="scores"/> for <paramref name="labels"/> (ML.NET's evaluator):
    /// the chance that a recovered enrollment is scored above one that was not. NaN when either class is missing.
    /// </summary>
    public static double Auc(IReadOnlyList<bool> labels, IReadOnlyList<float> scores)
    {
        if (labels.Count != scores.Count)
        {
            throw new ArgumentException("one score per label", nameof(scores));
        }
        if (!labels.Contains(true) || !labels.Contains(false))
        {
            return double.NaN;
        }
        var rows = labels.Select((label, i) => new ScoredRow { Label = label, Score = scores[i], PredictedLabel = scores[i] > 0.5f }).ToList();
        lock (ContextLock)
        {
            return Context.BinaryClassification.EvaluateNonCalibrated(Context.Data.LoadFromEnumerable(rows)).AreaUnderRocCurve;
        }
    }

    /// <summary>
    /// The Qini coefficient of an uplift ranking on randomized data. Enrollments are taken in order of predicted uplift,
    /// highest first; after the top k the Qini curve is the incremental recoveries
    /// <c>Q(k) = R_t(k) − R_c(k) × N_t(k) / N_c(k)</c> (recoveries R and counts N among those given, t, and denied, c,
    /// the discount), both axes divided by the number of enrollments. The coefficient is the area between that curve and
    /// the straight line of a random ranking, divided by the same area for the perfect ranking (recovered-with-discount
    /// first, recovered-without last). 1 is perfect, 0 no better than random, below 0 worse. Enrollments with the same
    /// predicted uplift are taken together. 0 when the data cannot tell (an arm missing, nothing recovered).
    /// </summary>
    public static double Qini(IReadOnlyList<(double Uplift, bool Treated, bool Recovered)> rows)
    {
        if (rows.Count == 0 || !rows.Any(r => r.Treated) || rows.All(r => r.Treated))
        {
            return 0;
        }
        var model = Area(rows.OrderByDescending(r => r.Uplift).ToList(), tied: (a, b) => a.Uplift == b.Uplift);
        // Perfect: treated recoveries first, then everyone not recovered, then control recoveries (negative uplift).
        var perfect = Area(rows.OrderByDescending(r => r.Recovered ? (r.Treated ? 1 : -1) : 0).ToList(), tied: (_, _) => false);
        var random = Final(rows) / rows.Count / 2;
        var best = perfect - random;
        return best > 0 ? (model - random) / best : 0;
    }

    /// <summary>Area under the Qini curve (x and y divided by the count), by trapezoids between groups of tied rows.</summary>
    private static double Area(List<(double Uplift, bool Treated, bool Recovered)> ordered, Func<(double Uplift, bool Treated, bool Recovered), (double Uplift, bool Treated, bool Recovered), bool> tied)
    {
        double n = ordered.Count, area = 0, previousX = 0, previousY = 0;
        int nT = 0, nC = 0, rT = 0, rC = 0;
        for (var i = 0; i < ordered.Count; i++)
        {
            var row = ordered[i];
            if (row.Treated)
            {
                nT++;
                rT += row.Recovered ? 1 : 0;
            }
            else
            {
                nC++;
                rC += row.Recovered ? 1 : 0;
            }
            if (i + 1 < ordered.Count && tied(row, ordered[i + 1]))
            {
                continue;
            }
            var x = (i + 1) / n;
            var y = Incremental(nT, nC, rT, rC) / n;
            area += (x - previousX) * (y + previousY) / 2;
            (previousX, previousY) = (x, y);
        }
        return area;
    }

    private static double Final(IReadOnlyList<(double Uplift, bool Treated, bool Recovered)> rows)
        => Incremental(rows.Count(r => r.Treated), rows.Count(r => !r.Treated),
            rows.Count(r => r.Treated && r.Recovered), rows.Count(r => !r.Treated && r.Recovered));

    private static double Incremental(int nT, int nC, int rT, int rC) => nC == 0 ? rT : rT - rC * (double)nT / nC;

    private sealed class ScoredRow
    {
        public bool Label { get; set; }
        public float Score { get; set; }
        /// <summary>Required by the evaluator; the AUC does not use it.</summary>
        public bool PredictedLabel { get; set; }
    }
}
