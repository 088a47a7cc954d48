namespace FlexyPe.Workflows.Model;

/// <summary>
/// One training of a store's uplift model (<c>uplift_models</c>): the model it produced (its bytes and how it did on
/// enrollments it never saw) or, with <see cref="Bytes"/> null, the reason there is none. At most one row per store is
/// current: the model the store's discount decisions ask.
/// </summary>
public sealed class UpliftModelVersion
{
    public required string StoreId { get; set; }
    /// <summary>Counts the store's trainings from 1; the version a decision records.</summary>
    public int Version { get; set; }
    public DateTimeOffset TrainedAt { get; set; }
    /// <summary>"schedule" for the daily run, else who asked for it (<c>X-FlexyPe-Actor</c>, "api").</summary>
    public required string RequestedBy { get; set; }
    /// <summary>The Quartz node that ran it.</summary>
    public string? TrainedBy { get; set; }
    /// <summary>When the trigger that ran it was due (one training per store per firing, whatever the number of nodes).</summary>
    public DateTimeOffset? ScheduledFireTime { get; set; }

    /// <summary>Finished enrollments of the randomized arms read, and those left out for features that are not numbers.</summary>
    public int Examples { get; set; }
    public int DroppedNonFinite { get; set; }
    /// <summary>Finished enrollments of the store in any arm.</summary>
    public int FinishedEnrollments { get; set; }
    public int TrainingSize { get; set; }
    public int HeldOutSize { get; set; }
    public int RecoveriesWithDiscount { get; set; }
    public int RecoveriesWithoutDiscount { get; set; }
    public double? HeldOutAuc { get; set; }
    public double? Qini { get; set; }
    public double? TrainingSeconds { get; set; }

    /// <summary><see cref="Uplift.UpliftModel.ToBytes"/>; null when nothing was trained.</summary>
    public byte[]? Bytes { get; set; }
    public bool IsCurrent { get; set; }
    /// <summary>Why it became current or not (<see cref="Uplift.ModelPromotion"/>); null when nothing was trained.</summary>
    public string? PromotionReason { get; set; }
    /// <summary>Why nothing was trained (one class, an empty store, …); null when a model was.</summary>
    public string? TrainingOutcome { get; set; }
}
