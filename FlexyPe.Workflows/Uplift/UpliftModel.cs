using System.IO.Compression;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace FlexyPe.Workflows.Uplift;

/// <summary>What is known of a trained model: what it was trained on and how well it did on enrollments it never saw.</summary>
public sealed record UpliftModelInfo
{
    public required string StoreId { get; init; }
    /// <summary>Counts up per store: the version a decision records.</summary>
    public required int Version { get; init; }
    public int FeatureSchemaVersion { get; init; } = RecoveryFeatures.SchemaVersion;
    public required DateTimeOffset TrainedAt { get; init; }
    /// <summary>Randomized-arm enrollments the learners were fitted on.</summary>
    public required int TrainingSize { get; init; }
    /// <summary>Randomized-arm enrollments kept aside to measure AUC and Qini.</summary>
    public required int HeldOutSize { get; init; }
    /// <summary>Finished enrollments of the store, any arm, when it was trained.</summary>
    public required int FinishedEnrollments { get; init; }
    /// <summary>Recoveries among the enrollments given the discount at random.</summary>
    public required int RecoveriesWithDiscount { get; init; }
    /// <summary>Recoveries among the enrollments denied the discount at random.</summary>
    public required int RecoveriesWithoutDiscount { get; init; }
    /// <summary>AUC of "will this enrollment be recovered" on the held-out enrollments, each scored by the learner of the arm it was in.</summary>
    public required double HeldOutAuc { get; init; }
    public required double HeldOutAucWithDiscount { get; init; }
    public required double HeldOutAucWithoutDiscount { get; init; }
    /// <summary>Qini coefficient of the uplift ranking on the held-out enrollments (see <see cref="UpliftMetrics.Qini"/>).</summary>
    public required double Qini { get; init; }
}

/// <summary>A prediction: the chance of recovery with the discount and without it.</summary>
public sealed record UpliftPrediction(double PWith, double PWithout)
{
    /// <summary>What the discount adds to the chance of recovery (negative when it puts the shopper off).</summary>
    public double Uplift => PWith - PWithout;
}

/// <summary>
/// A store's recovery-uplift model: two ML.NET FastTree classifiers, one trained on the enrollments given the discount
/// at random, one on those denied it at random. Their difference is the expected uplift of the discount. Stored as
/// bytes (<see cref="ToBytes"/>) in Postgres and loaded back (<see cref="TryLoad"/>). Safe to share between threads.
/// </summary>
public sealed class UpliftModel
{
    private const string InfoEntry = "info.json";
    private const string WithEntry = "with_discount.zip";
    private const string WithoutEntry = "without_discount.zip";

    // One context for loading, saving and batch scoring; an MLContext is not documented as thread-safe, so every use
    // of it here holds this lock (rare, short operations; a single prediction uses only the model's own engines).
    private static readonly MLContext Context = new();
    private static readonly Lock ContextLock = new();
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private readonly ITransformer withDiscount;
    private readonly ITransformer withoutDiscount;
    private readonly PredictionEngine<UpliftRow, UpliftScore> withEngine;
    private readonly PredictionEngine<UpliftRow, UpliftScore> withoutEngine;
    private readonly Lock predicting = new();

    internal UpliftModel(UpliftModelInfo info, ITransformer withDiscount, ITransformer withoutDiscount)
    {
        Info = info;
        this.withDiscount = withDiscount;
        this.withoutDiscount = withoutDiscount;
        lock (ContextLock)
        {
            withEngine = Context.Model.CreatePredictionEngine<UpliftRow, UpliftScore>(withDiscount);
            withoutEngine = Context.Model.CreatePredictionEngine<UpliftRow, UpliftScore>(withoutDiscount);
        }
    }

    public UpliftModelInfo Info { get; }

    /// <summary>The chances of recovery with and without the discount for one enrollment.</summary>
    public UpliftPrediction Predict(RecoveryFeatures features)
    {
        var row = new UpliftRow { Features = features.ToVector() };
        // A prediction engine is not thread-safe; one prediction takes microseconds, so a lock costs nothing that matters.
        lock (predicting)
        {
            return new UpliftPrediction(withEngine.Predict(row).Probability, withoutEngine.Predict(row).Probability);
        }
    }

    /// <summary>Predictions for many enrollments at once (training evaluation, benchmarks, reports): one pass per learner.</summary>
    public IReadOnlyList<UpliftPrediction> PredictMany(IReadOnlyList<RecoveryFeatures> features)
    {
        lock (ContextLock)
        {
            var rows = Context.Data.LoadFromEnumerable(features.Select(f => new UpliftRow { Features = f.ToVector() }).ToList());
            var with = Probabilities(withDiscount, rows);
            var without = Probabilities(withoutDiscount, rows);
            return [.. with.Zip(without, (w, wo) => new UpliftPrediction(w, wo))];
        }
    }

    internal static float[] Probabilities(ITransformer learner, IDataView rows)
        => [.. learner.Transform(rows).GetColumn<float>(nameof(UpliftScore.Probability))];

    /// <summary>The model as one zip: its info as JSON and each learner as ML.NET saves it.</summary>
    public byte[] ToBytes()
    {
        lock (ContextLock)
        {
            return Save();
        }
    }

    private byte[] Save()
    {
        var schema = Context.Data.LoadFromEnumerable(Array.Empty<UpliftRow>()).Schema;
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            using (var entry = zip.CreateEntry(InfoEntry).Open())
            {
                JsonSerializer.Serialize(entry, Info, Json);
            }
            using (var entry = zip.CreateEntry(WithEntry, CompressionLevel.NoCompression).Open())
            {
                Context.Model.Save(withDiscount, schema, entry);
            }
            using (var entry = zip.CreateEntry(WithoutEntry, CompressionLevel.NoCompression).Open())
            {
                Context.Model.Save(withoutDiscount, schema, entry);
            }
        }
        return buffer.ToArray();
    }

    /// <summary>
    /// Loads a model stored by <see cref="ToBytes"/>. Never throws: bytes that are not a model, or a model trained on
    /// another feature schema, give null and the reason in words.
    /// </summary>
    public static UpliftModel? TryLoad(byte[]? bytes, out string? reason)
    {
        if (bytes is not { Length: > 0 })
        {
            reason = "no model bytes";
            return null;
        }
        try
        {
            using var zip = new ZipArchive(new MemoryStream(bytes), ZipArchiveMode.Read);
            UpliftModelInfo? info;
            using (var entry = Entry(zip, InfoEntry))
            {
                info = JsonSerializer.Deserialize<UpliftModelInfo>(entry, Json);
            }
            if (info is null)
            {
                reason = "the model's info is empty";
                return null;
            }
            if (info.FeatureSchemaVersion != RecoveryFeatures.SchemaVersion)
            {
                reason = $"model v{info.Version} was trained on feature schema {info.FeatureSchemaVersion}; this build reads schema {RecoveryFeatures.SchemaVersion}: it must be retrained";
                return null;
            }
            ITransformer with, without;
            lock (ContextLock)
            {
                with = LoadLearner(zip, WithEntry);
                without = LoadLearner(zip, WithoutEntry);
            }
            reason = null;
            return new UpliftModel(info, with, without);
        }
        catch (Exception exception) when (exception is InvalidDataException or JsonException or InvalidOperationException
            or FormatException or ArgumentException or IOException or NotSupportedException)
        {
            reason = $"the stored model could not be read ({exception.GetType().Name})";
            return null;
        }
    }

    private static ITransformer LoadLearner(ZipArchive zip, string name)
    {
        // ML.NET reads a model from a seekable stream; a zip entry is not one.
        using var copy = new MemoryStream();
        using (var entry = Entry(zip, name))
        {
            entry.CopyTo(copy);
        }
        copy.Position = 0;
        return Context.Model.Load(copy, out _);
    }

    private static Stream Entry(ZipArchive zip, string name)
        => (zip.GetEntry(name) ?? throw new InvalidDataException($"the model has no {name}")).Open();
}

/// <summary>The learners' input: the feature vector and, when training, whether the enrollment was recovered.</summary>
internal sealed class UpliftRow
{
    [VectorType(RecoveryFeatures.Count)]
    public float[] Features { get; set; } = [];

    public bool Label { get; set; }
}

internal sealed class UpliftScore
{
    public float Probability { get; set; }
    public float Score { get; set; }
}
