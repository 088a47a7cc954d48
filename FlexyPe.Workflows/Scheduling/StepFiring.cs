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

        foreach (var step in due)
        {
            var enrollment = enrollments[step.EnrollmentId];
            var sequence = sequences[enrollment.SequenceId];
            using var activity = WorkflowsTelemetry.Source.StartActivity("workflows.step.fire");
            activity?.SetTag("flexype.sequence", sequence.Key);
            activity?.SetTag("flexype.sequence.version", sequence.Version);
            activity?.SetTag("flexype.step", step.StepNumber);
            activity?.SetTag("flexype.enrollment.id", enrollment.Id);

            var outboxId = await FireAsync(step, enrollment, sequence, now, firedBy, ct);
            if (outboxId is { } id)
            {
                produced.Add(id);
            }
            activity?.SetTag("flexype.step.outcome", step.State);
            await db.SaveChangesAsync(ct);

            if (step.State != StepStates.Scheduled && enrollment.State == EnrollmentStates.Active
                && !await db.ScheduledSteps.AnyAsync(s => s.EnrollmentId == enrollment.Id && s.State == StepStates.Scheduled, ct))
            {
                enrollment.State = EnrollmentStates.Finished;
                enrollment.EndedAt = now;
                await db.SaveChangesAsync(ct);
            }
        }
        await transaction.CommitAsync(ct);
        relay.Enqueue(produced);
        return due.Count;
    }

    private async Task<Guid?> FireAsync(
        ScheduledStep step, Enrollment enrollment, Sequence sequence, DateTimeOffset now, string firedBy, CancellationToken ct)
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
        if (await DeliveryFeedback.IsSuppressedAsync(db, enrollment.StoreId, email, ct))
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
        if (EventTypes.Recovery.Contains(enrollment.Trigger) && await CappedAsync(step, enrollment, email, ct))
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

        step.State = StepStates.Sent;
        // The unique key held: the request exists already, so this firing produced nothing (never expected; visible if it happens).
        step.Reason = outboxId is null ? "request already produced" : null;
        step.FiredAt = now;
        step.FiredBy = firedBy;
        WorkflowsTelemetry.StepsFired.Add(1, new KeyValuePair<string, object?>("sequence", sequence.Key));
        WorkflowsTelemetry.FiringLateness.Record((now - step.DueAt).TotalSeconds);
        return outboxId;
    }

    /// <summary>Another recovery message to the shopper due within the cap window was already sent.</summary>
    private async Task<bool> CappedAsync(ScheduledStep step, Enrollment enrollment, string email, CancellationToken ct)
    {
        var cap = clock.Scale(options.Value.FrequencyCap);
        if (cap <= TimeSpan.Zero)
        {
            return false;
        }
        var windowStart = step.DueAt - cap;
        var windowEnd = step.DueAt + cap;
        return await (
            from other in db.ScheduledSteps
            join otherEnrollment in db.Enrollments on other.EnrollmentId equals otherEnrollment.Id
            where otherEnrollment.StoreId == enrollment.StoreId && otherEnrollment.ShopperEmail == email
                && EventTypes.Recovery.Contains(otherEnrollment.Trigger)
                && other.Id != step.Id && other.State == StepStates.Sent
                && other.DueAt > windowStart && other.DueAt < windowEnd
            select other.Id).AnyAsync(ct);
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
