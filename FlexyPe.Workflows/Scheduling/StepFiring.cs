using System.Diagnostics;
using FlexyPe.Workflows.Enrollments;
using FlexyPe.Workflows.HandOffs;
using FlexyPe.Workflows.Infrastructure;
using FlexyPe.Workflows.Model;
using FlexyPe.Workflows.Stores;
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
    StoreSettingsCatalog stores,
    EnrollmentEnding ending,
    LiquidTemplates templates,
    StepChoices choices,
    IOptions<WorkflowsOptions> options,
    WorkflowsTelemetry telemetry,
    ILogger<StepFiring> logger)
{
    /// <summary>The advisory-lock class (first key) of a shopper's firing; the second key is a hash of store and address.</summary>
    private const int ShopperLockClass = 0x4650_4341; // "FPCA": FlexyPe cap

    /// <summary>The step claimed by the last batch of one (see <see cref="FireDueAsync"/>).</summary>
    private Guid? lastClaimed;

    /// <summary>
    /// Fires one batch of due steps; returns how many it claimed. When Postgres refuses what a batch would save (one
    /// step's message holds something it will not store, say), the batch's steps are fired one at a time instead, and
    /// a step that still cannot be saved is skipped alone: otherwise the batch would be claimed again and fail again on
    /// every round, and none of its steps would ever go.
    /// </summary>
    public async Task<int> FireDueAsync(string firedBy, CancellationToken ct)
    {
        try
        {
            return await FireBatchAsync(firedBy, options.Value.Scheduling.BatchSize, ct);
        }
        catch (Exception e) when (CannotBeSaved(e) is { } refused)
        {
            logger.LogWarning("A batch of due steps could not be saved ({SqlState}); firing its steps one at a time", refused.SqlState);
        }
        var fired = 0;
        for (var i = 0; i < options.Value.Scheduling.BatchSize; i++)
        {
            try
            {
                var claimed = await FireBatchAsync(firedBy, 1, ct);
                if (claimed == 0)
                {
                    break;
                }
                fired += claimed;
            }
            catch (Exception e) when (CannotBeSaved(e) is { } refused && lastClaimed is { } step)
            {
                await SkipUnsavableAsync(step, refused, firedBy, ct);
                fired++;
            }
        }
        return fired;
    }

    private async Task<int> FireBatchAsync(string firedBy, int batchSize, CancellationToken ct)
    {
        // One job run fires batch after batch on this context; what the last batch loaded is of no use to the next.
        db.ChangeTracker.Clear();
        lastClaimed = null;
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var now = clock.Now;
        var due = await db.ScheduledSteps
            .FromSql($"""
                SELECT * FROM scheduled_steps
                WHERE state = 'scheduled' AND due_at <= {now}
                ORDER BY due_at
                LIMIT {batchSize}
                FOR UPDATE SKIP LOCKED
                """)
            .ToListAsync(ct);
        if (due.Count == 0)
        {
            await transaction.CommitAsync(ct);
            return 0;
        }
        lastClaimed = due[0].Id;

        var claimed = due.Count;
        due = await WithoutShoppersBeingTakenAsync(due, ct);
        if (due.Count == 0)
        {
            await transaction.CommitAsync(ct);
            return claimed;
        }
        var enrollmentIds = due.Select(s => s.EnrollmentId).Distinct().ToList();
        // Read once the shoppers' locks are held: an event taken before them (a purchase) is seen.
        // With each, the event it renders (its context, kept once in received_events): null only if that row were gone.
        var loaded = await (
            from e in db.Enrollments
            where enrollmentIds.Contains(e.Id)
            join r in db.ReceivedEvents on new { e.StoreId, EventId = e.ContextEventId } equals new { r.StoreId, r.EventId } into events
            from r in events.DefaultIfEmpty()
            select new { Enrollment = e, Context = (string?)r.Payload }).ToListAsync(ct);
        var enrollments = loaded.ToDictionary(x => x.Enrollment.Id, x => x.Enrollment);
        var contexts = loaded.ToDictionary(x => x.Enrollment.Id, string? (x) => x.Context);
        await LockShoppersAsync(enrollments.Values, ct);
        var sequenceIds = enrollments.Values.Select(e => e.SequenceId).Distinct().ToList();
        var sequences = await db.Sequences.Include(s => s.Steps).Where(s => sequenceIds.Contains(s.Id)).ToDictionaryAsync(s => s.Id, ct);

        var storeSettings = await stores.ForStoresAsync(enrollments.Values.Select(e => e.StoreId), ct);
        var batch = await BatchFactsAsync(due, enrollments, storeSettings, ct);
        var chosen = await choices.ForBatchAsync(due, enrollments, contexts, sequences, ct);

        var requests = new List<(ScheduledStep Step, OutboxEntry Entry)>();
        foreach (var step in due)
        {
            var enrollment = enrollments[step.EnrollmentId];
            var sequence = sequences[enrollment.SequenceId];
            // Continue the trace of the event that scheduled the step (ActivityContext stays default when there is none).
            ActivityContext.TryParse(step.TraceParent, null, out var scheduledBy);
            using var activity = WorkflowsTelemetry.Source.StartActivity("workflows.step.fire", ActivityKind.Internal, scheduledBy);
            activity?.SetTag("flexype.sequence", sequence.Key);
            activity?.SetTag("flexype.sequence.version", sequence.Version);
            activity?.SetTag("flexype.step", step.StepNumber);
            activity?.SetTag("flexype.enrollment.id", enrollment.Id);

            if (await FireAsync(step, enrollment, contexts[enrollment.Id], sequence, storeSettings[enrollment.StoreId], batch, chosen, now, firedBy) is { } request)
            {
                requests.Add((step, new OutboxEntry(request, activity?.Id ?? step.TraceParent)));
            }
            activity?.SetTag("flexype.step.outcome", step.State);
        }

        // Every request of the batch in one statement; a key that already had its request produced nothing (never
        // expected, visible on the step if it happens).
        var produced = await OutboxWriter.AddAllAsync(db, [.. requests.Select(r => r.Entry)], ct);
        foreach (var (step, _) in requests.Where(r => !produced.Contains(r.Entry.Request.IdempotencyKey)))
        {
            step.Reason = "request already produced";
        }
        await db.SaveChangesAsync(ct);
        await ending.FinishIfNothingLeftAsync(enrollmentIds, ct);
        // The commit wakes the outbox relay (the outbox table's trigger announces the new requests).
        await transaction.CommitAsync(ct);
        return claimed;
    }

    /// <summary>Decides the step's outcome; the message request to write when it is sent, else null.</summary>
    private async Task<MessageRequest?> FireAsync(
        ScheduledStep step, Enrollment enrollment, string? context, Sequence sequence, EffectiveStoreSettings store, BatchFacts batch,
        StepChoices.Batch chosen, DateTimeOffset now, string firedBy)
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
        if (enrollment.HeldOut)
        {
            // The holdout: tracked, sent nothing (docs/uplift.md); its purchase still counts as its outcome.
            return Skip(step, "held out", now, firedBy);
        }
        if (email is null)
        {
            return Skip(step, "no email address", now, firedBy);
        }
        if (!System.Net.Mail.MailAddress.TryCreate(email, out var address) || address.Address != email || !email.Contains('@', StringComparison.Ordinal))
        {
            // Whatever FlexyPe sent in the email field: Notifier would refuse the request, and its outbox row would wait for ever.
            return Skip(step, "not an email address", now, firedBy);
        }
        if (batch.Suppressed.Contains((enrollment.StoreId, email)))
        {
            return Skip(step, "unsubscribed or suppressed", now, firedBy);
        }
        var allowed = QuietHours.NextAllowed(now, store);
        if (allowed > now)
        {
            step.DueAt = allowed;
            step.Reason = "deferred: quiet hours";
            telemetry.StepsDeferred.Add(1, new KeyValuePair<string, object?>("reason", "quiet_hours"));
            return null;
        }
        var recovery = EventTypes.Recovery.Contains(enrollment.Trigger);
        if (recovery && batch.Capped(step, enrollment.StoreId, email, clock.Scale(store.FrequencyCap)))
        {
            return Skip(step, "frequency cap", now, firedBy);
        }

        if (context is null)
        {
            logger.LogWarning("Step {Step} of {Sequence} v{Version}: the event its enrollment renders is not stored", step.StepNumber, sequence.Key, sequence.Version);
            return Skip(step, "enrollment's event missing", now, firedBy);
        }
        var views = batch.Views.GetValueOrDefault((enrollment.StoreId, email), RecentViews.None);
        // The discount (offered or withheld), an approved copy variant, the recommendations (docs/assistance.md).
        var choice = chosen.Choose(enrollment, context, definition, store, views);
        var model = MessageModel.Build(context, views.Products, views.Collections, choice.DiscountCode, store.Brand);
        choice.AddRecommendationsTo(model);
        var variant = choice.Variant;
        var previewText = variant?.PreviewText ?? definition.PreviewText;
        string subject, html;
        try
        {
            subject = (await templates.RenderAsync(variant?.Subject ?? definition.Subject, model, html: false)).Trim();
            model["preview_text"] = previewText is null ? null : (await templates.RenderAsync(previewText, model, html: false)).Trim();
            model["opening"] = variant is null ? null : (await templates.RenderAsync(variant.Opening, model, html: false)).Trim();
            html = await templates.RenderAsync(definition.Template, model, html: true);
        }
        catch (TemplateRenderException exception)
        {
            logger.LogWarning("Step {Step} of {Sequence} v{Version} did not render: {Error}", step.StepNumber, sequence.Key, sequence.Version, exception.Message);
            return Skip(step, "template did not render", now, firedBy);
        }
        if (string.IsNullOrWhiteSpace(subject) || string.IsNullOrWhiteSpace(html))
        {
            // Notifier refuses a message without a subject or a body; better said here, on the step, than retried for ever.
            return Skip(step, "subject or body rendered empty", now, firedBy);
        }

        var request = new MessageRequest(
            step.IdempotencyKey, enrollment.StoreId, store.Brand.Name, email, subject, html, null,
            new Dictionary<string, string>
            {
                ["sequence"] = sequence.Key,
                ["version"] = sequence.Version.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["step"] = step.StepNumber.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["enrollment"] = enrollment.Id.ToString(),
            },
            store.From, store.ReplyTo, store.ClickTracking);
        if (recovery)
        {
            batch.Sent.Add((enrollment.StoreId, email, step.DueAt, step.Id));
        }
        choice.RecordOn(step);
        step.State = StepStates.Sent;
        step.Reason = null;
        step.FiredAt = now;
        step.FiredBy = firedBy;
        telemetry.StepsFired.Add(1, new KeyValuePair<string, object?>("sequence", sequence.Key));
        telemetry.FiringLateness.Record((now - step.DueAt).TotalSeconds);
        return request;
    }

    /// <summary>
    /// What every step of a batch needs, read once: suppressed addresses, recovery messages already sent near the
    /// batch's due times, and each shopper's recent views.
    /// </summary>
    private async Task<BatchFacts> BatchFactsAsync(
        List<ScheduledStep> due, Dictionary<Guid, Enrollment> enrollments, Dictionary<string, EffectiveStoreSettings> settings, CancellationToken ct)
    {
        // The widest cap of the batch's stores bounds what must be read; each step is then checked against its own store's.
        var cap = settings.Count == 0 ? TimeSpan.Zero : settings.Values.Max(s => clock.Scale(s.FrequencyCap));
        // The batch's shoppers, each once: the cap's read and the recent views look them up pair by pair.
        (string StoreId, string Email)[] shoppers = [.. enrollments.Values.Where(e => e.ShopperEmail != null)
            .Select(e => (e.StoreId, e.ShopperEmail!)).Distinct()];
        var stores = shoppers.Select(s => s.StoreId).Distinct().ToList();
        var emails = shoppers.Select(s => s.Email).Distinct().ToList();

        var suppressed = (await db.DeliveryEvents
                .Where(d => stores.Contains(d.StoreId) && emails.Contains(d.Email!) && DeliveryEventTypes.EndEverything.Contains(d.Type))
                .Select(d => new { d.StoreId, d.Email })
                .ToListAsync(ct))
            .Select(d => (d.StoreId, d.Email!)).ToHashSet();

        var sent = new List<(string, string, DateTimeOffset, Guid)>();
        if (cap > TimeSpan.Zero && shoppers.Length > 0)
        {
            var earliest = due.Min(s => s.DueAt) - cap;
            var latest = due.Max(s => s.DueAt) + cap;
            string[] pairStores = [.. shoppers.Select(p => p.StoreId)], pairEmails = [.. shoppers.Select(p => p.Email)];
            // Each shopper's recovery enrollments through the shopper index, one lookup a shopper. Written as "any of
            // these stores and any of these emails", the planner could read every recovery enrollment of the stores
            // through the store-led unique index instead, whenever its statistics had not yet seen them: 11.9 ms a
            // batch with 7,000 enrollments (bench/README, "The frequency cap's read").
            var rows = await db.Database.SqlQuery<SentRow>($"""
                SELECT shopper.store_id, shopper.email, s.due_at, s.id
                FROM unnest({pairStores}, {pairEmails}) AS shopper(store_id, email)
                JOIN enrollments e ON e.shopper_email = shopper.email AND e.store_id = shopper.store_id
                    AND e.trigger = ANY ({EventTypes.Recovery})
                JOIN scheduled_steps s ON s.enrollment_id = e.id
                WHERE s.state = {StepStates.Sent} AND s.due_at > {earliest} AND s.due_at < {latest}
                """).ToListAsync(ct);
            sent.AddRange(rows.Select(r => (r.StoreId, r.Email, r.DueAt, r.Id)));
        }
        var views = await RecentViews.LoadAsync(db, shoppers, ct);
        return new BatchFacts(suppressed, sent, views);
    }

    /// <summary>A recovery message already sent to one of a batch's shoppers (columns named as EF's snake_case convention expects).</summary>
    private sealed record SentRow(string StoreId, string Email, DateTimeOffset DueAt, Guid Id);

    private sealed record BatchFacts(
        HashSet<(string Store, string Email)> Suppressed,
        List<(string Store, string Email, DateTimeOffset DueAt, Guid StepId)> Sent,
        Dictionary<(string StoreId, string Email), RecentViews> Views)
    {
        /// <summary>Another recovery message to the shopper, due within the cap of this one, was sent.</summary>
        public bool Capped(ScheduledStep step, string store, string email, TimeSpan cap)
            => cap > TimeSpan.Zero && Sent.Any(s => s.Store == store && s.Email == email && s.StepId != step.Id
                && (s.DueAt - step.DueAt).Duration() < cap);
    }

    /// <summary>
    /// The claimed steps less those of shoppers whose event Workflows is taking at this moment (event intake holds
    /// their lock): those stay scheduled for the next round, when the event (a purchase, say) has been taken and is
    /// seen. The shoppers of the rest are locked until this batch commits, so an event of theirs waits for it.
    /// </summary>
    private async Task<List<ScheduledStep>> WithoutShoppersBeingTakenAsync(List<ScheduledStep> due, CancellationToken ct)
    {
        var enrollmentIds = due.Select(s => s.EnrollmentId).Distinct().ToList();
        var shoppers = await db.Enrollments
            .Where(e => enrollmentIds.Contains(e.Id) && e.ShopperEmail != null)
            .Select(e => new { e.Id, e.StoreId, e.ShopperEmail })
            .ToListAsync(ct);
        var lockOf = shoppers.ToDictionary(e => e.Id, e => EnrollmentEnding.LockName(e.StoreId, EnrollmentEnding.ShopperKey(e.ShopperEmail!)));
        var busy = await ending.TryLockAsync([.. lockOf.Values], ct);
        if (busy.Count == 0)
        {
            return due;
        }
        telemetry.StepsDeferred.Add(due.Count(s => lockOf.TryGetValue(s.EnrollmentId, out var name) && busy.Contains(name)),
            new KeyValuePair<string, object?>("reason", "event_being_taken"));
        return [.. due.Where(s => !lockOf.TryGetValue(s.EnrollmentId, out var name) || !busy.Contains(name))];
    }

    /// <summary>
    /// Waits for any other process firing a step of the same shoppers (recovery sequences only, which the frequency cap
    /// covers) to commit, so the messages already sent, read next, include what it sent: the cap then holds across
    /// replicas, not only within a batch. Taken in one order everywhere, so two batches never wait on each other.
    /// </summary>
    private async Task LockShoppersAsync(IEnumerable<Enrollment> enrollments, CancellationToken ct)
    {
        var keys = enrollments
            .Where(e => e.ShopperEmail is not null && EventTypes.Recovery.Contains(e.Trigger))
            .Select(e => BitConverter.ToInt32(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{e.StoreId}\n{e.ShopperEmail}")), 0))
            .Distinct().Order().ToArray();
        if (keys.Length > 0)
        {
            await db.Database.ExecuteSqlAsync(
                $"SELECT pg_advisory_xact_lock({ShopperLockClass}, k) FROM (SELECT k FROM unnest({keys}) AS k ORDER BY k) AS shoppers", ct);
        }
    }

    /// <summary>What Postgres refused about the data itself (SQLSTATE classes 22, 23, 54), or null for anything else.</summary>
    private static Npgsql.PostgresException? CannotBeSaved(Exception e)
        => (e as Npgsql.PostgresException ?? e.InnerException as Npgsql.PostgresException) is { } postgres
            && (postgres.SqlState.StartsWith("22", StringComparison.Ordinal) || postgres.SqlState.StartsWith("23", StringComparison.Ordinal)
                || postgres.SqlState.StartsWith("54", StringComparison.Ordinal))
            ? postgres
            : null;

    /// <summary>Skips a step whose outcome Postgres will not store, on its own, with the reason on the step.</summary>
    private async Task SkipUnsavableAsync(Guid stepId, Npgsql.PostgresException refused, string firedBy, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var step = await db.ScheduledSteps.FirstAsync(s => s.Id == stepId, ct);
        if (step.State == StepStates.Scheduled)
        {
            Skip(step, $"could not be saved ({refused.SqlState})", clock.Now, firedBy);
            await db.SaveChangesAsync(ct);
            await ending.FinishIfNothingLeftAsync([step.EnrollmentId], ct);
        }
        await transaction.CommitAsync(ct);
        logger.LogWarning("Step {Step} of enrollment {EnrollmentId} could not be saved ({SqlState}) and was skipped", step.StepNumber, step.EnrollmentId, refused.SqlState);
    }

    private MessageRequest? Skip(ScheduledStep step, string reason, DateTimeOffset now, string firedBy)
    {
        step.State = StepStates.Skipped;
        step.Reason = reason;
        step.FiredAt = now;
        step.FiredBy = firedBy;
        telemetry.StepsSkipped.Add(1, new KeyValuePair<string, object?>("reason", reason));
        return null;
    }

    private void Cancel(ScheduledStep step, string reason)
    {
        step.State = StepStates.Cancelled;
        step.Reason = reason;
        telemetry.StepsCancelled.Add(1, new KeyValuePair<string, object?>("reason", reason));
    }
}
