using System.Text.Json.Serialization;

namespace FlexyPe.Chaos.Faults;

/// <summary>
/// What one fault did to the journeys delivered around it: the figures the issue asks for (events_acknowledged …
/// responses_5xx_other_than_503) and the ones that explain them.
/// </summary>
public sealed record FaultResult
{
    public required string Fault { get; init; }
    /// <summary>What was killed (-9) and started again; null for the baseline.</summary>
    public string? Killed { get; init; }
    public int Replicas { get; init; }
    public double KilledAtSeconds { get; init; }
    public double DownSeconds { get; init; }
    /// <summary>From the restart to the process doing its job again.</summary>
    public double RestartSeconds { get; init; }

    public int Journeys { get; init; }
    public int EventsSent { get; init; }
    /// <summary>Events FlexyPe heard 200 for (on the first delivery or a retry).</summary>
    public int EventsAcknowledged { get; init; }
    public int EventsRetriedToSuccess { get; init; }
    /// <summary>Events never acknowledged after FlexyPe's three retries (given up by FlexyPe, so not ours to lose).</summary>
    public int EventsGivenUp { get; init; }
    /// <summary>Acknowledged events found in ingestdb.</summary>
    public int EventsStored { get; init; }
    /// <summary>Acknowledged, yet not stored.</summary>
    public int Lost { get; init; }
    /// <summary>Events stored, or taken by Workflows, more than once.</summary>
    public int Duplicates { get; init; }
    /// <summary>Stored by Ingest but never taken by Workflows.</summary>
    public int EventsNotHandedOn { get; init; }
    /// <summary>Deliveries sent again with an id already acknowledged (FlexyPe's manual retry).</summary>
    public int DuplicateDeliveries { get; init; }
    public int DuplicateDeliveriesAcknowledgedAsDuplicate { get; init; }

    /// <summary>Steps of this fault's enrollments that came due and were fired (sent or skipped by a rule).</summary>
    public int StepsDue { get; init; }
    /// <summary>Steps due but still scheduled when the run ended.</summary>
    public int StepsLeftBehind { get; init; }
    /// <summary>Steps that produced a message request.</summary>
    public int StepsSent { get; init; }
    /// <summary>Requests Notifier ended as sent.</summary>
    public int MessagesExpected { get; init; }
    /// <summary>Distinct Message-IDs of those requests that the SMTP server accepted.</summary>
    public int MessagesSent { get; init; }
    /// <summary>Requests sent by Workflows that never reached the SMTP server (lost, or still pending).</summary>
    public int MessagesMissing { get; init; }
    /// <summary>Extra acceptances of a Message-ID already accepted.</summary>
    public int MessagesDuplicated { get; init; }
    /// <summary>
    /// Of those, resends of a message Notifier was sending when it was killed: accepted by the server, not yet committed
    /// (the documented window). Notifier never sends a request again once it has committed it, so with Notifier killed
    /// every duplicate is one of these; with anything else killed there are none.
    /// </summary>
    public int DuplicatesInDocumentedWindow { get; init; }
    public int SentAfterCompleted { get; init; }
    /// <summary>
    /// Accepted by the SMTP server after the address's suppression was committed, though Notifier claimed it (and read
    /// the suppression list) after that commit.
    /// </summary>
    public int SentToSuppressed { get; init; }
    /// <summary>Accepted after the suppression was committed, but claimed and checked before it: already on its way.</summary>
    public int SentToSuppressedInFlight { get; init; }
    public int FrequencyCapViolations { get; init; }
    public int Unsubscribed { get; init; }
    public int HardBounced { get; init; }

    // Named as the issue and bench/README.md name them: the snake-case policy alone writes "responses5xx_other_than503".
    [JsonPropertyName("responses_5xx_other_than_503")]
    public int Responses5xxOtherThan503 { get; init; }
    [JsonPropertyName("responses_503")]
    public int Responses503 { get; init; }
    [JsonPropertyName("responses_503_without_retry_after")]
    public int Responses503WithoutRetryAfter { get; init; }
    /// <summary>Postgres fault only: new events acknowledged (200, not a duplicate) by requests made entirely while it was down.</summary>
    public int? AcknowledgedWhilePostgresDown { get; init; }
    /// <summary>Postgres fault only: answers to requests made entirely while it was down, by status.</summary>
    public Dictionary<string, int>? AnswersWhilePostgresDown { get; init; }

    public bool Drained { get; init; }
    public double DrainSeconds { get; init; }
    /// <summary>What was still waiting when draining gave up.</summary>
    public Dictionary<string, long>? LeftWaiting { get; init; }

    /// <summary>Every promise held: nothing lost or doubled, nothing sent that should not have been.</summary>
    public bool Held => Lost == 0 && Duplicates == 0 && EventsNotHandedOn == 0 && StepsLeftBehind == 0 && MessagesMissing == 0
        && MessagesDuplicated == DuplicatesInDocumentedWindow && SentAfterCompleted == 0 && SentToSuppressed == 0 && FrequencyCapViolations == 0
        && Responses5xxOtherThan503 == 0 && Responses503WithoutRetryAfter == 0 && AcknowledgedWhilePostgresDown is null or 0 && Drained;
}

/// <summary>The documented duplicate window, injected: the SMTP server accepts a message and Notifier dies before committing.</summary>
public sealed record DuplicateWindowResult
{
    public required string MessageId { get; init; }
    /// <summary>How many times the SMTP server accepted that Message-ID.</summary>
    public int Acceptances { get; init; }
    /// <summary>What Notifier recorded for the request once restarted.</summary>
    public string? NotifierStatus { get; init; }
    public int NotifierAttempts { get; init; }
    public required string WhatHappened { get; init; }
}
