using System.Diagnostics;
using FlexyPe.Notifier.Composing;
using FlexyPe.Notifier.DeliveryEvents;
using FlexyPe.Notifier.Infrastructure;
using FlexyPe.Notifier.Model;
using FlexyPe.Notifier.Smtp;
using FlexyPe.Notifier.Telemetry;
using FlexyPe.Outbox;
using MailKit.Net.Smtp;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MimeKit;
using Polly;
using Polly.Retry;

namespace FlexyPe.Notifier.Sending;

/// <summary>
/// Sends due message requests. Each loop claims one pending row with <c>FOR UPDATE SKIP LOCKED</c> and keeps it
/// locked until the outcome is committed, so any number of loops, in any number of replicas, send each request
/// once; the outcome, its attempts and its delivery event are committed together right after the server's reply.
/// An idle loop sleeps until a new request's commit wakes it (the <c>message_requests</c> trigger's <c>NOTIFY</c>)
/// or a retry falls due.
/// </summary>
public sealed class SendingWorker(
    IServiceScopeFactory scopes,
    [FromKeyedServices(SendingWorker.Channel)] WakeUp wakeUp,
    SmtpConnectionPool pool,
    MessageComposer composer,
    IOptions<NotifierOptions> options,
    NotifierTelemetry telemetry,
    TimeProvider time,
    ILogger<SendingWorker> logger) : BackgroundService
{
    /// <summary>The table whose trigger announces new requests.</summary>
    public const string Channel = "message_requests";

    /// <summary>How soon to look again at a due request another loop holds.</summary>
    private static readonly TimeSpan HeldElsewhere = TimeSpan.FromMilliseconds(250);

    private static readonly string WorkerName = $"{Environment.MachineName}/{Environment.ProcessId}";

    private readonly SendingOptions settings = options.Value.Sending;
    private readonly ResiliencePipeline quickRetries = BuildQuickRetries(options.Value.Sending);

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
        => Task.WhenAll(Enumerable.Range(0, Math.Max(1, settings.Workers)).Select(_ => RunLoopAsync(stoppingToken)));

    private async Task RunLoopAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        await wakeUp.RunAsync(async token =>
        {
            if (await SendNextAsync(token))
            {
                // More may be due: wake a sleeping sibling as well, so every loop joins in a burst.
                wakeUp.Notify();
                return TimeSpan.Zero;
            }
            return await UntilNextDueAsync(token);
        }, settings.MaxSleep, "Sending loop", time, logger, stoppingToken);
    }

    /// <summary>How long to sleep: until the next pending request is due (a retry), at most <see cref="SendingOptions.MaxSleep"/>.</summary>
    private async Task<TimeSpan> UntilNextDueAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var next = await scope.ServiceProvider.GetRequiredService<NotifierDbContext>().MessageRequests
            .Where(r => r.Status == MessageStatus.Pending)
            .MinAsync(r => (DateTimeOffset?)r.NextAttemptAt, cancellationToken);
        var wait = next is { } due ? due - time.GetUtcNow() : settings.MaxSleep;
        // Due already, yet this loop's claim found nothing: another loop is sending it.
        return wait <= TimeSpan.Zero ? HeldElsewhere : wait < settings.MaxSleep ? wait : settings.MaxSleep;
    }

    /// <returns>Whether a request was due (so the loop should look again at once).</returns>
    private async Task<bool> SendNextAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NotifierDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);

        var now = time.GetUtcNow();
        var claimed = await db.MessageRequests.FromSql($"""
            SELECT * FROM message_requests
            WHERE status = {MessageStatus.Pending} AND next_attempt_at <= {now}
            ORDER BY next_attempt_at
            LIMIT 1
            FOR UPDATE SKIP LOCKED
            """).ToListAsync(cancellationToken);
        telemetry.SendingPolls.Count(found: claimed.Count > 0);
        if (claimed.Count == 0)
        {
            return false;
        }

        await HandleAsync(db, claimed[0], cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    private async Task HandleAsync(NotifierDbContext db, MessageRequest request, CancellationToken cancellationToken)
    {
        var email = request.To.ToLowerInvariant();
        request.ClaimedAt = time.GetUtcNow();
        if (await db.Suppressions.AnyAsync(s => s.StoreId == request.StoreId && s.Email == email, cancellationToken))
        {
            Complete(request, MessageStatus.Suppressed, reply: null);
            db.AddDeliveryEvent(DeliveryEventType.Suppressed, request.StoreId, request.To, request.IdempotencyKey, null, time.GetUtcNow(), request.TraceParent);
            telemetry.Count(MessageStatus.Suppressed);
            logger.LogInformation("Message request {MessageRequestId} not sent: the address is suppressed", request.Id);
            return;
        }

        request.AttemptCount++;
        try
        {
            var message = composer.Compose(request);
            request.Mime = message.ToString();
            var reply = await quickRetries.ExecuteAsync(
                async token => await SendOnceAsync(db, request, message, token), cancellationToken);

            Complete(request, MessageStatus.Sent, reply);
            db.AddDeliveryEvent(DeliveryEventType.Sent, request.StoreId, request.To, request.IdempotencyKey, reply, time.GetUtcNow(), request.TraceParent);
            telemetry.Count(MessageStatus.Sent);
            telemetry.RecordAccepted(request.CompletedAt!.Value - request.CreatedAt);
            logger.LogInformation("Message request {MessageRequestId} sent", request.Id);
        }
        catch (Exception e) when (SmtpFailures.IsTransient(e) && !cancellationToken.IsCancellationRequested)
        {
            var reply = SmtpFailures.Describe(e);
            request.LastSmtpReply = reply;
            if (request.AttemptCount >= settings.MaxAttempts)
            {
                DeadLetter(db, request, reply);
                return;
            }

            var delay = OutboxBackoff.After(request.AttemptCount, settings.RetryDelay, settings.MaxRetryDelay);
            request.NextAttemptAt = time.GetUtcNow() + delay;
            telemetry.Count(AttemptOutcome.TransientFailure);
            if (request.AttemptCount == 1)
            {
                // Workflows hears about the first failure only; the outcome (sent or dead-lettered) follows.
                db.AddDeliveryEvent(DeliveryEventType.Failed, request.StoreId, request.To, request.IdempotencyKey, reply, time.GetUtcNow(), request.TraceParent);
            }
            logger.LogWarning("Message request {MessageRequestId} failed transiently (attempt {Attempt}); next try in {Delay}",
                request.Id, request.AttemptCount, delay);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            var reply = SmtpFailures.Describe(e);
            DeadLetter(db, request, reply);
            if (SmtpFailures.IsHardBounce(e))
            {
                await SuppressAsync(db, request, cancellationToken);
            }
        }
    }

    private async Task<string> SendOnceAsync(NotifierDbContext db, MessageRequest request, MimeMessage message, CancellationToken cancellationToken)
    {
        using var activity = telemetry.StartSendAttempt(request, request.Attempts.Count + 1);
        SmtpClient? client = null;
        try
        {
            client = await pool.RentAsync(cancellationToken);
            var response = await client.SendAsync(message, cancellationToken);
            await pool.ReturnAsync(client, reusable: true);

            var reply = $"250 {response}".TrimEnd();
            Record(db, request, AttemptOutcome.Sent, reply);
            activity?.SetTag("smtp.reply_code", 250);
            activity?.SetTag("flexype.send.outcome", AttemptOutcome.Sent);
            return reply;
        }
        catch (Exception e)
        {
            if (client is not null)
            {
                await pool.ReturnAsync(client, reusable: false);
            }
            var outcome = SmtpFailures.IsTransient(e) ? AttemptOutcome.TransientFailure : AttemptOutcome.PermanentFailure;
            if (!cancellationToken.IsCancellationRequested)
            {
                Record(db, request, outcome, SmtpFailures.Describe(e));
            }
            activity?.SetTag("flexype.send.outcome", outcome);
            activity?.SetStatus(ActivityStatusCode.Error, e.GetType().Name);
            if (e is SmtpCommandException command)
            {
                activity?.SetTag("smtp.reply_code", (int)command.StatusCode);
            }
            throw;
        }
    }

    private void Record(NotifierDbContext db, MessageRequest request, string outcome, string reply)
    {
        var attempt = new DeliveryAttempt
        {
            MessageRequestId = request.Id,
            AttemptedAt = time.GetUtcNow(),
            Outcome = outcome,
            SmtpReply = reply,
            Worker = WorkerName,
        };
        request.Attempts.Add(attempt);
        db.DeliveryAttempts.Add(attempt);
    }

    private void DeadLetter(NotifierDbContext db, MessageRequest request, string reply)
    {
        Complete(request, MessageStatus.DeadLettered, reply);
        db.AddDeliveryEvent(DeliveryEventType.DeadLettered, request.StoreId, request.To, request.IdempotencyKey, reply, time.GetUtcNow(), request.TraceParent);
        telemetry.Count(MessageStatus.DeadLettered);
        logger.LogWarning("Message request {MessageRequestId} dead-lettered after {Attempts} attempt(s)", request.Id, request.AttemptCount);
    }

    private async Task SuppressAsync(NotifierDbContext db, MessageRequest request, CancellationToken cancellationToken)
    {
        var email = request.To.ToLowerInvariant();
        if (!await db.Suppressions.AnyAsync(s => s.StoreId == request.StoreId && s.Email == email, cancellationToken))
        {
            db.Suppressions.Add(new Suppression
            {
                StoreId = request.StoreId,
                Email = email,
                Reason = SuppressionReason.HardBounce,
                CreatedAt = time.GetUtcNow(),
            });
        }
    }

    private void Complete(MessageRequest request, string status, string? reply)
    {
        request.Status = status;
        request.CompletedAt = time.GetUtcNow();
        request.LastSmtpReply = reply ?? request.LastSmtpReply;
    }

    private static ResiliencePipeline BuildQuickRetries(SendingOptions settings)
    {
        if (settings.ImmediateRetries <= 0)
        {
            return ResiliencePipeline.Empty;
        }
        return new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(SmtpFailures.IsTransient),
                MaxRetryAttempts = settings.ImmediateRetries,
                BackoffType = DelayBackoffType.Exponential,
                Delay = TimeSpan.FromMilliseconds(200),
                UseJitter = true,
            })
            .Build();
    }
}
