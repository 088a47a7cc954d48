using System.Diagnostics;
using System.Text.Json;
using FlexyPe.Workflows.Enrollments;
using FlexyPe.Workflows.Events;
using FlexyPe.Workflows.Infrastructure;
using FlexyPe.Workflows.Outbox;
using FlexyPe.Workflows.Sequences;
using FlexyPe.Workflows.Telemetry;
using FlexyPe.Workflows.Templates;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace FlexyPe.Workflows.Scheduling;

/// <summary>
/// Claims due steps in a batch (<c>FOR UPDATE SKIP LOCKED</c>) and, in the same transaction, turns each into a
/// message request in the outbox and moves it out of <c>scheduled</c>, so a step produces its request once.
/// </summary>
public sealed class StepFiring(
    WorkflowsDbContext db,
    WorkflowClock clock,
    QuietHours quietHours,
    LiquidTemplates templates,
    OutboxRelay relay,
    IOptions<WorkflowsOptions> options,
    ILogger<StepFiring> logger)
{
    /// <summary>Fires one batch of due steps; returns how many it claimed.</summary>
    public async Task<int> FireDueAsync(string firedBy, CancellationToken ct)
    {
        var settings = options.Value;
        var produced = new List<Guid>();
        // One job run fires batch after batch on this context; what the last batch loaded is of no use to the next.
        db.ChangeTracker.Clear();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var now = clock.Now;
        var due = await db.ScheduledSteps
            .FromSql($"""
                SELECT * FROM scheduled_steps
                WHERE state = 'scheduled' AND due_at <= {now}
                ORDER BY due_at
                LIMIT {settings.Scheduling.BatchSize}
                FOR UPDATE SKIP LOCKED
                """)
            .ToListAsync(ct);
        if (due.Count == 0)
        {
            await transaction.CommitAsync(ct);
            return 0;
        }

        var enrollmentIds = due.Select(s => s.EnrollmentId).Distinct().ToList();
        var enrollments = await db.Enrollments.Where(e => enrollmentIds.Contains(e.Id)).ToDictionaryAsync(e => e.Id, ct);
        var sequenceIds = enrollments.Values.Select(e => e.SequenceId).Distinct().ToList();
        var sequences = await db.Sequences.Include(s => s.Steps).Where(s => sequenceIds.Contains(s.Id)).ToDictionaryAsync(s => s.Id, ct);

        var batch = await BatchFactsAsync(due, enrollments, ct);

        foreach (var step in due)
        {
            var enrollment = enrollments[step.EnrollmentId];
            var sequence = sequences[enrollment.SequenceId];
            // Continue the trace of the event that scheduled the step (ActivityContext stays default when there is none).
            System.Diagnostics.ActivityContext.TryParse(step.TraceParent, null, out var scheduledBy);
            using var activity = WorkflowsTelemetry.Source.StartActivity("workflows.step.fire", System.Diagnostics.ActivityKind.Internal, scheduledBy);
            activity?.SetTag("flexype.sequence", sequence.Key);
            activity?.SetTag("flexype.sequence.version", sequence.Version);
            activity?.SetTag("flexype.step", step.StepNumber);
            activity?.SetTag("flexype.enrollment.id", enrollment.Id);

            var outboxId = await FireAsync(step, enrollment, sequence, batch, now, firedBy, ct);
            if (outboxId is { } id)
            {
                produced.Add(id);
            }
            activity?.SetTag("flexype.step.outcome", step.State);
        }
        await db.SaveChangesAsync(ct);
        // Enrollments with no step left to run are finished.
        await db.Enrollments
            .Where(e => enrollmentIds.Contains(e.Id) && e.State == EnrollmentStates.Active
                && !db.ScheduledSteps.Any(s => s.EnrollmentId == e.Id && s.State == StepStates.Scheduled))
            .ExecuteUpdateAsync(u => u.SetProperty(e => e.State, EnrollmentStates.Finished).SetProperty(e => e.EndedAt, now), ct);
        await transaction.CommitAsync(ct);
        relay.Enqueue(produced);
        return due.Count;
    }

    private async Task<Guid?> FireAsync(
        ScheduledStep step, Enrollment enrollment, Sequence sequence, BatchFacts batch, DateTimeOffset now, string firedBy, CancellationToken ct)
    {
        var definition = sequence.Steps.FirstOrDefault(s => s.Number == step.StepNumber);
        var email = enrollment.ShopperEmail;
        if (enrollment.State != EnrollmentStates.Active)
        {
            Cancel(step, "enrollment " + enrollment.State);
            return null;
        }
        if (definition is not { Enabled: true })
        {
            return Skip(step, "step disabled", now, firedBy);
        }
        if (email is null)
        {
            return Skip(step, "no email address", now, firedBy);
        }
        if (batch.Suppressed.Contains((enrollment.StoreId, email)))
        {
            return Skip(step, "unsubscribed or suppressed", now, firedBy);
        }
        var allowed = quietHours.NextAllowed(now, enrollment.StoreId);
        if (allowed > now)
        {
            step.DueAt = allowed;
            step.Reason = "deferred: quiet hours";
            WorkflowsTelemetry.StepsDeferred.Add(1);
            return null;
        }
        var recovery = EventTypes.Recovery.Contains(enrollment.Trigger);
        if (recovery && batch.Capped(step, enrollment.StoreId, email))
        {
            return Skip(step, "frequency cap", now, firedBy);
        }

        var model = await ModelAsync(enrollment, email, definition.DiscountCode, ct);
        string subject, html;
        try
        {
            subject = (await templates.RenderAsync(definition.Subject, model, html: false)).Trim();
            html = await templates.RenderAsync(definition.Template, model, html: true);
        }
        catch (Exception exception) when (exception is InvalidOperationException or Fluid.ParseException)
        {
            logger.LogWarning("Step {Step} of {Sequence} v{Version} did not render: {Error}", step.StepNumber, sequence.Key, sequence.Version, exception.Message);
            return Skip(step, "template did not render", now, firedBy);
        }

        var request = new MessageRequest(
            step.IdempotencyKey, enrollment.StoreId, StoreName(enrollment.Context), email, subject, html, null,
            new Dictionary<string, string>
            {
                ["sequence"] = sequence.Key,
                ["version"] = sequence.Version.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["step"] = step.StepNumber.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["enrollment"] = enrollment.Id.ToString(),
            });
        var outboxId = await OutboxWriter.AddAsync(db, request, now, ct);

        if (recovery)
        {
            batch.Sent.Add((enrollment.StoreId, email, step.DueAt, step.Id));
        }
        step.State = StepStates.Sent;
        // The unique key held: the request exists already, so this firing produced nothing (never expected; visible if it happens).
        step.Reason = outboxId is null ? "request already produced" : null;
        step.FiredAt = now;
        step.FiredBy = firedBy;
        WorkflowsTelemetry.StepsFired.Add(1, new KeyValuePair<string, object?>("sequence", sequence.Key));
        WorkflowsTelemetry.FiringLateness.Record((now - step.DueAt).TotalSeconds);
        return outboxId;
    }

    /// <summary>What every step of a batch checks, read once: suppressed addresses and recovery messages already sent near the batch's due times.</summary>
    private async Task<BatchFacts> BatchFactsAsync(List<ScheduledStep> due, Dictionary<Guid, Enrollment> enrollments, CancellationToken ct)
    {
        var cap = clock.Scale(options.Value.FrequencyCap);
        var shoppers = enrollments.Values.Where(e => e.ShopperEmail != null).ToList();
        var stores = shoppers.Select(e => e.StoreId).Distinct().ToList();
        var emails = shoppers.Select(e => e.ShopperEmail!).Distinct().ToList();

        var suppressed = (await db.DeliveryEvents
                .Where(d => stores.Contains(d.StoreId) && emails.Contains(d.Email!) && DeliveryEventTypes.EndEverything.Contains(d.Type))
                .Select(d => new { d.StoreId, d.Email })
                .ToListAsync(ct))
            .Select(d => (d.StoreId, d.Email!)).ToHashSet();

        var sent = new List<(string, string, DateTimeOffset, Guid)>();
        if (cap > TimeSpan.Zero && shoppers.Count > 0)
        {
            var earliest = due.Min(s => s.DueAt) - cap;
            var latest = due.Max(s => s.DueAt) + cap;
            var rows = await (
                from step in db.ScheduledSteps
                join enrollment in db.Enrollments on step.EnrollmentId equals enrollment.Id
                where stores.Contains(enrollment.StoreId) && emails.Contains(enrollment.ShopperEmail!)
                    && EventTypes.Recovery.Contains(enrollment.Trigger)
                    && step.State == StepStates.Sent && step.DueAt > earliest && step.DueAt < latest
                select new { enrollment.StoreId, enrollment.ShopperEmail, step.DueAt, step.Id }).ToListAsync(ct);
            sent.AddRange(rows.Select(r => (r.StoreId, r.ShopperEmail!, r.DueAt, r.Id)));
        }
        return new BatchFacts(suppressed, sent, cap);
    }

    private sealed record BatchFacts(
        HashSet<(string Store, string Email)> Suppressed,
        List<(string Store, string Email, DateTimeOffset DueAt, Guid StepId)> Sent,
        TimeSpan Cap)
    {
        /// <summary>Another recovery message to the shopper, due within the cap of this one, was sent.</summary>
        public bool Capped(ScheduledStep step, string store, string email)
            => Cap > TimeSpan.Zero && Sent.Any(s => s.Store == store && s.Email == email && s.StepId != step.Id
                && (s.DueAt - step.DueAt).Duration() < Cap);
    }

    private async Task<Dictionary<string, object?>> ModelAsync(Enrollment enrollment, string email, string? discountCode, CancellationToken ct)
    {
        var views = await RecentViews.LoadAsync(db, enrollment.StoreId, email, ct);
        return MessageModel.Build(enrollment.Context, views.Products, views.Collections, discountCode);
    }

    private static string? StoreName(string eventJson)
    {
        using var document = JsonDocument.Parse(eventJson);
        return document.RootElement.TryGetProperty("store", out var store) && store.ValueKind == JsonValueKind.Object
            && store.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String
            ? name.GetString()
            : null;
    }

    private static Guid? Skip(ScheduledStep step, string reason, DateTimeOffset now, string firedBy)
    {
        step.State = StepStates.Skipped;
        step.Reason = reason;
        step.FiredAt = now;
        step.FiredBy = firedBy;
        WorkflowsTelemetry.StepsSkipped.Add(1, new KeyValuePair<string, object?>("reason", reason));
        return null;
    }

    private static void Cancel(ScheduledStep step, string reason)
    {
        step.State = StepStates.Cancelled;
        step.Reason = reason;
        WorkflowsTelemetry.StepsCancelled.Add(1, new KeyValuePair<string, object?>("reason", reason));
    }
}
