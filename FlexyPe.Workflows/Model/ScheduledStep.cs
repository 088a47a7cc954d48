namespace FlexyPe.Workflows.Model;

/// <summary>One step of one enrollment, due at a time; the due-steps job claims it and moves it out of <c>scheduled</c> once.</summary>
public sealed class ScheduledStep
{
    public Guid Id { get; set; }
    public Guid EnrollmentId { get; set; }
    public int StepNumber { get; set; }
    public DateTimeOffset DueAt { get; set; }
    public string State { get; set; } = StepStates.Scheduled;
    /// <summary>Why it was skipped, cancelled or deferred.</summary>
    public string? Reason { get; set; }
    /// <summary><c>enrollment:&lt;id&gt;:step:&lt;n&gt;</c>, also the message request's key.</summary>
    public required string IdempotencyKey { get; set; }
    public DateTimeOffset? FiredAt { get; set; }
    /// <summary>The Quartz instance that fired it.</summary>
    public string? FiredBy { get; set; }
    /// <summary>The latest delivery event type Notifier reported (sent, failed, dead_lettered, ...).</summary>
    public string? DeliveryStatus { get; set; }
    /// <summary>
    /// The W3C trace context of the event that scheduled it: firing continues that trace, so one trace in the dashboard
    /// runs from FlexyPe's POST to the SMTP send.
    /// </summary>
    public string? TraceParent { get; set; }

    /// <summary>Whether the step's discount was offered (null: the step has no discount or was not sent). See <see cref="Uplift.DiscountDecision"/>.</summary>
    public bool? DiscountOffered { get; set; }
    /// <summary>Who decided: model, rule or exploration (<see cref="Uplift.DecisionSources"/>).</summary>
    public string? DecisionSource { get; set; }
    /// <summary>The decision in words: why the model offered or withheld, or why the step's rule stood.</summary>
    public string? DecisionReason { get; set; }
    /// <summary>The version of the store's uplift model that was asked, when one was.</summary>
    public int? ModelVersion { get; set; }
    public double? PWith { get; set; }
    public double? PWithout { get; set; }
    /// <summary>What the model said before the cap or the randomized arm had their say.</summary>
    public bool? ModelWouldOffer { get; set; }
    /// <summary>The cart's value and what the discount would cost on it, when the decision was made.</summary>
    public decimal? DecisionCartValue { get; set; }
    public decimal? DiscountCost { get; set; }
    /// <summary>
    /// The copy variant sent, when the step had a variant test: a <see cref="StepCopyVariant"/>'s id, or
    /// <see cref="StepCopyVariant.OwnCopy"/> for the step's own copy taking part as an arm; null outside a test.
    /// </summary>
    public Guid? VariantId { get; set; }

    public static string KeyFor(Guid enrollmentId, int stepNumber) => $"enrollment:{enrollmentId}:step:{stepNumber}";
}

public static class StepStates
{
    public const string Scheduled = "scheduled";
    /// <summary>Its message request is in the outbox.</summary>
    public const string Sent = "sent";
    public const string Skipped = "skipped";
    public const string Cancelled = "cancelled";
}
