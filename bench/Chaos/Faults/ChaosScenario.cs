using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using FlexyPe.Chaos.Stack;
using FlexyPe.Simulator.Delivery;
using FlexyPe.Simulator.Generation;
using Npgsql;

namespace FlexyPe.Chaos.Faults;

/// <summary>How hard and how long each fault is driven.</summary>
public sealed record ScenarioOptions
{
    /// <summary>How long journeys keep starting.</summary>
    public TimeSpan StreamFor { get; init; } = TimeSpan.FromSeconds(30);
    public double JourneysPerSecond { get; init; } = 3;
    /// <summary>When, after the stream starts, the process is killed.</summary>
    public TimeSpan KillAfter { get; init; } = TimeSpan.FromSeconds(8);
    /// <summary>How long it stays down before it is started again.</summary>
    public TimeSpan DownFor { get; init; } = TimeSpan.FromSeconds(6);
    /// <summary>FlexyPe's 1, 5 and 15 minutes, compressed (0.02: 1.2, 6 and 18 s).</summary>
    public double RetryScale { get; init; } = 0.02;
    public double DuplicateRate { get; init; } = 0.1;
    /// <summary>Share of shoppers who click one-click unsubscribe in the first email they get.</summary>
    public double UnsubscribeRate { get; init; } = 0.05;
    /// <summary>
    /// How long a drain waits without progress: the clock starts again whenever less is waiting than ever before in
    /// this drain, so a large backlog that keeps going down is waited for and a stuck one is not.
    /// </summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromMinutes(3);
    /// <summary>The most a drain waits, progress or not.</summary>
    public TimeSpan DrainLimit { get; init; } = TimeSpan.FromMinutes(15);
    /// <summary>The frequency cap as the stack runs it (real time), for the check.</summary>
    public TimeSpan FrequencyCap { get; init; } = TimeSpan.FromMilliseconds(500);
    public int Seed { get; init; } = 2026;
}

/// <summary>
/// Delivers a stream of simulated journeys (FlexyPe's headers, retry schedule compressed, manual duplicates) to the
/// deployed stack while one process is killed (-9) and started again, then waits for everything to settle and checks
/// the outcome against what the simulator recorded and what the SMTP server accepted.
/// </summary>
public sealed class ChaosScenario(DeployedStack stack, ScenarioOptions options, Action<string>? log = null)
{
    private static readonly string[] RecoveryTriggers = ["abandoned_checkout", "abandoned_session"];
    // Across scenarios on one stack, so each fault's journeys are new shoppers, checkouts and sessions.
    private static int phase;

    /// <summary>
    /// One fault: the stream runs; <paramref name="target"/> (every replica in <paramref name="replicas"/>) is killed
    /// after <see cref="ScenarioOptions.KillAfter"/>, started again after <see cref="ScenarioOptions.DownFor"/>. Null
    /// target: the baseline, nothing killed.
    /// </summary>
    public async Task<FaultResult> RunAsync(string fault, string? target, int[]? replicas = null, CancellationToken ct = default)
    {
        replicas ??= [0];
        var number = Interlocked.Increment(ref phase);
        log?.Invoke($"[{fault}] streaming {options.JourneysPerSecond}/s for {options.StreamFor.TotalSeconds}s" + (target is null ? "" : $", killing {target} {string.Join(",", replicas)} at {options.KillAfter.TotalSeconds}s"));
        var windowStart = DateTimeOffset.UtcNow;
        var journeys = new JourneyGenerator(new GeneratorOptions
        {
            Seed = options.Seed + number,
            Version = PayloadVersions.Mixed,
            RunId = $"chaos{number}x{Guid.NewGuid():N}"[..16],
            Start = windowStart,
        }).Generate((int)(options.StreamFor.TotalSeconds * options.JourneysPerSecond)).ToList();

        using var unsubscribing = new CancellationTokenSource();
        var unsubscriber = new Unsubscriber(stack, options.UnsubscribeRate);
        var clicking = unsubscriber.RunAsync(unsubscribing.Token);

        var senders = Enumerable.Range(0, stack.ReplicasOf(DeployedStack.Ingest)).Select(i => new WebhookSender(
            WebhookSender.CreateClient(32),
            new DeliveryOptions
            {
                Target = new Uri(stack.Url(DeployedStack.Ingest, i), "/webhooks/flexype"),
                Secret = stack.Options.WebhookSecret,
                RetryScale = options.RetryScale,
                DuplicateRate = options.DuplicateRate,
                Seed = options.Seed + number,
            },
            new DeliveryCounters())).ToArray();
        var clock = Stopwatch.GetTimestamp();
        var stream = StreamAsync(journeys, senders, ct);

        double killedAt = 0, restartSeconds = 0, downFrom = 0, downUntil = 0;
        if (target is not null)
        {
            await Task.Delay(options.KillAfter, ct);
            killedAt = Stopwatch.GetElapsedTime(clock).TotalSeconds;
            foreach (var replica in replicas)
            {
                await stack.KillAsync(target, replica);
            }
            // Down from when the kill has landed (the process is gone), not from when it was ordered: a delivery begun
            // while the `kill` command was still starting was committed by a live Postgres and rightly acknowledged.
            downFrom = Stopwatch.GetElapsedTime(senders[0].Started).TotalMilliseconds;
            await Task.Delay(options.DownFor, ct);
            downUntil = Stopwatch.GetElapsedTime(senders[0].Started).TotalMilliseconds;
            var restarting = Stopwatch.GetTimestamp();
            foreach (var replica in replicas)
            {
                await stack.RestartAsync(target, replica, ct);
            }
            restartSeconds = Stopwatch.GetElapsedTime(restarting).TotalSeconds;
            log?.Invoke($"[{fault}] {target} back after {restartSeconds:F1}s");
        }

        var records = await stream;
        log?.Invoke($"[{fault}] stream done: {records.Count} events; draining");
        var draining = Stopwatch.GetTimestamp();
        var leftWaiting = await DrainAsync(ct);
        var drainSeconds = Stopwatch.GetElapsedTime(draining).TotalSeconds;
        await unsubscribing.CancelAsync();
        await clicking;
        // Unsubscribes clicked late in the window end their enrollments; let that settle too.
        leftWaiting ??= await DrainAsync(ct);
        var windowEnd = DateTimeOffset.UtcNow;

        var result = await MeasureAsync(fault, target, records, windowStart, windowEnd, ct) with
        {
            Killed = target is null ? null : $"{target} {string.Join(",", replicas.Select(r => $"#{r}"))}",
            Replicas = stack.ReplicasOf(DeployedStack.Ingest),
            KilledAtSeconds = Math.Round(killedAt, 1),
            DownSeconds = target is null ? 0 : options.DownFor.TotalSeconds,
            RestartSeconds = Math.Round(restartSeconds, 1),
            Journeys = journeys.Count,
            Drained = leftWaiting is null,
            DrainSeconds = Math.Round(drainSeconds, 1),
            LeftWaiting = leftWaiting,
            Unsubscribed = unsubscriber.Unsubscribed,
        };
        if (target is DeployedStack.Notifier or DeployedStack.Postgres)
        {
            // The documented window: the SMTP server's 250 came and Notifier's commit did not, because Notifier died or
            // because Postgres did under it. The message went; its record did not, so it goes once more, same Message-ID.
            result = result with { DuplicatesInDocumentedWindow = result.MessagesDuplicated };
        }
        if (target == DeployedStack.Postgres)
        {
            // Requests made entirely while Postgres was down (the clocks are the senders'; all started together).
            var during = records.SelectMany(r => r.Attempts)
                .Where(a => a.AtMs >= downFrom && a.AtMs + a.LatencyMs <= downUntil).ToList();
            result = result with
            {
                AcknowledgedWhilePostgresDown = during.Count(a => a.Status == 200 && a.AcknowledgedAsDuplicate == false),
                AnswersWhilePostgresDown = during.GroupBy(a => a.Status?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? a.Error ?? "none")
                    .ToDictionary(g => g.Key, g => g.Count()),
            };
        }
        log?.Invoke($"[{fault}] {JsonSerializer.Serialize(result, ChaosReport.Json)}");
        return result;
    }

    /// <summary>Every attempt of every delivery (first and duplicates) of each event.</summary>
    private sealed record Delivered(SimulatedEvent Event, EventRecord Record)
    {
        public IEnumerable<AttemptRecord> Attempts => Record.Delivery.Attempts.Concat(Record.Duplicates.SelectMany(d => d.Attempts));
    }

    private async Task<List<Delivered>> StreamAsync(List<Journey> journeys, WebhookSender[] senders, CancellationToken ct)
    {
        var results = new ConcurrentBag<Delivered>();
        var interval = TimeSpan.FromSeconds(1 / options.JourneysPerSecond);
        var started = Stopwatch.GetTimestamp();
        var running = new List<Task>();
        for (var i = 0; i < journeys.Count; i++)
        {
            var wait = interval * i - Stopwatch.GetElapsedTime(started);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, ct);
            }
            // Journeys go to the Ingest replicas in turn, as a load balancer would spread them.
            var sender = senders[i % senders.Length];
            var journey = journeys[i];
            running.Add(Task.Run(async () =>
            {
                foreach (var e in journey.Events)
                {
                    var record = EventRecord.For(e, await sender.DeliverAsync(e, ct));
                    if (record.FinalStatus == DeliveryRecord.Acknowledged && sender.Options.ShouldDuplicate(e.EventId))
                    {
                        record.Duplicates.Add(await sender.DeliverAsync(e, ct));
                    }
                    results.Add(new Delivered(e, record));
                }
            }, ct));
        }
        await Task.WhenAll(running);
        return [.. results];
    }

    /// <summary>Waits until nothing is left to do anywhere; null when settled, else what was still waiting.</summary>
    public async Task<Dictionary<string, long>?> DrainAsync(CancellationToken ct)
    {
        var limit = DateTimeOffset.UtcNow + options.DrainLimit;
        var deadline = DateTimeOffset.UtcNow + options.DrainTimeout;
        var fewestWaiting = long.MaxValue;
        var quietRounds = 0;
        Dictionary<string, long> waiting = [];
        while (DateTimeOffset.UtcNow < deadline && DateTimeOffset.UtcNow < limit)
        {
            try
            {
                waiting = new Dictionary<string, long>
                {
                    ["ingest_outbox"] = await ScalarAsync("ingestdb", "SELECT count(*) FROM outbox_messages WHERE delivered_at IS NULL", ct),
                    ["workflows_scheduled_steps"] = await ScalarAsync("workflowsdb", "SELECT count(*) FROM scheduled_steps WHERE state = 'scheduled'", ct),
                    ["workflows_outbox"] = await ScalarAsync("workflowsdb", $"SELECT count(*) FROM {await WorkflowsOutboxAsync(ct)} WHERE delivered_at IS NULL", ct),
                    ["notifier_pending"] = await ScalarAsync("notifierdb", "SELECT count(*) FROM message_requests WHERE status = 'pending'", ct),
                    ["notifier_delivery_events"] = await ScalarAsync("notifierdb", "SELECT count(*) FROM outbox_messages WHERE delivered_at IS NULL", ct),
                };
            }
            catch (NpgsqlException)
            {
                waiting = new Dictionary<string, long> { ["postgres_unreachable"] = 1 };
            }
            var total = waiting.Values.Sum();
            if (total < fewestWaiting)
            {
                fewestWaiting = total;
                deadline = DateTimeOffset.UtcNow + options.DrainTimeout;
            }
            quietRounds = total == 0 ? quietRounds + 1 : 0;
            if (quietRounds >= 3)
            {
                return null;
            }
            await Task.Delay(1000, ct);
        }
        foreach (var (what, reason, count) in await WhyWaitingAsync(ct))
        {
            waiting[$"{what} ({reason})"] = count;
        }
        return waiting;
    }

    /// <summary>The last error of each outbox row still waiting, counted, so a failed drain says why.</summary>
    private async Task<List<(string What, string Reason, long Count)>> WhyWaitingAsync(CancellationToken ct)
    {
        var reasons = new List<(string, string, long)>();
        try
        {
            foreach (var (what, database, table) in new[]
            {
                ("ingest_outbox", "ingestdb", "outbox_messages"),
                ("workflows_outbox", "workflowsdb", await WorkflowsOutboxAsync(ct)),
                ("notifier_delivery_events", "notifierdb", "outbox_messages"),
            })
            {
                await using var connection = new NpgsqlConnection(stack.ConnectionString(database));
                await connection.OpenAsync(ct);
                await using var command = new NpgsqlCommand(
                    $"SELECT left(coalesce(last_error, 'not tried yet'), 200), count(*) FROM {table} WHERE delivered_at IS NULL GROUP BY 1 ORDER BY 2 DESC LIMIT 5",
                    connection);
                await using var reader = await command.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct))
                {
                    reasons.Add((what, reader.GetString(0), reader.GetInt64(1)));
                }
            }
        }
        catch (NpgsqlException)
        {
            // Postgres is down: the counts already say so.
        }
        return reasons;
    }

    private async Task<FaultResult> MeasureAsync(
        string fault, string? target, List<Delivered> delivered, DateTimeOffset windowStart, DateTimeOffset windowEnd, CancellationToken ct)
    {
        var events = delivered.Select(d => d.Record).ToList();
        var acknowledged = events.Where(r => r.FinalStatus == DeliveryRecord.Acknowledged).Select(r => r.EventId).ToList();
        var attempts = delivered.SelectMany(d => d.Attempts).ToList();

        // 1. Every acknowledged event stored once, and taken by Workflows once.
        var stored = await CountByAsync("ingestdb", "SELECT event_id, count(*) FROM events WHERE event_id = ANY(@ids) GROUP BY event_id", acknowledged, ct);
        var taken = await CountByAsync("workflowsdb", "SELECT event_id, count(*) FROM received_events WHERE event_id = ANY(@ids) GROUP BY event_id", [.. stored.Keys], ct);

        // 2. The steps of the enrollments this window made.
        var steps = new List<StepRow>();
        await using (var workflows = new NpgsqlConnection(stack.ConnectionString("workflowsdb")))
        {
            await workflows.OpenAsync(ct);
            await using var command = new NpgsqlCommand("""
                SELECT s.idempotency_key, s.state, s.due_at, s.fired_at, e.store_id, e.shopper_email, e.trigger, e.subject_key
                FROM scheduled_steps s JOIN enrollments e ON e.id = s.enrollment_id
                WHERE e.enrolled_at >= @from AND e.enrolled_at < @to
                """, workflows);
            command.Parameters.AddWithValue("from", windowStart);
            command.Parameters.AddWithValue("to", windowEnd);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                steps.Add(new StepRow(reader.GetString(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2),
                    reader.IsDBNull(3) ? null : reader.GetFieldValue<DateTimeOffset>(3), reader.GetString(4),
                    reader.IsDBNull(5) ? null : reader.GetString(5), reader.GetString(6), reader.GetString(7)));
            }
        }
        var sentSteps = steps.Where(s => s.State == "sent").ToList();

        // 3. What Notifier made of them, and what the SMTP server accepted.
        var requests = new Dictionary<string, RequestRow>();
        var suppressions = new Dictionary<(string, string), DateTimeOffset>();
        await using (var notifier = new NpgsqlConnection(stack.ConnectionString("notifierdb")))
        {
            await notifier.OpenAsync(ct);
            await using (var command = new NpgsqlCommand(
                "SELECT idempotency_key, message_id, status, \"to\", store_id, claimed_at FROM message_requests WHERE idempotency_key = ANY(@keys)", notifier))
            {
                command.Parameters.AddWithValue("keys", sentSteps.Select(s => s.Key).ToArray());
                await using var reader = await command.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct))
                {
                    requests[reader.GetString(0)] = new RequestRow(reader.GetString(1), reader.GetString(2), reader.GetString(3).ToLowerInvariant(), reader.GetString(4),
                        reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5));
                }
            }
            // When each suppression was committed (the stack's Postgres tracks commit times): Notifier reads the list
            // when it claims a message, so a message claimed after that commit must not be sent.
            await using (var command = new NpgsqlCommand("SELECT store_id, email, pg_xact_commit_timestamp(xmin) FROM suppressions", notifier))
            {
                await using var reader = await command.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct))
                {
                    suppressions[(reader.GetString(0), reader.GetString(1))] = reader.GetFieldValue<DateTimeOffset>(2);
                }
            }
        }
        var accepted = JournalSmtpServer.Read(stack.JournalPath).GroupBy(e => e.MessageId).ToDictionary(g => g.Key, g => g.ToList());
        var expected = requests.Values.Where(r => r.Status == "sent").ToList();
        var arrived = expected.Where(r => accepted.ContainsKey(r.MessageId)).ToList();
        // Accepted after its address's suppression was committed: in flight if Notifier had claimed it (and read the
        // suppression list) before that commit, sent to a suppressed address if it claimed it after.
        var sentAfterSuppression = arrived
            .Where(r => suppressions.TryGetValue((r.StoreId, r.To), out var committed)
                && accepted[r.MessageId].Any(a => DateTimeOffset.FromUnixTimeMilliseconds(a.AtUnixMs) > committed))
            .ToList();
        var claimedAfterSuppression = sentAfterSuppression.Count(r => r.ClaimedAt is not { } claimed || claimed >= suppressions[(r.StoreId, r.To)]);

        // 4. Nothing after a purchase: a recovery step of the buyer fired after Workflows took the COMPLETED event.
        var completed = delivered
            .Where(d => d.Event.SessionState == CheckoutStates.Completed && d.Record.FinalStatus == DeliveryRecord.Acknowledged)
            .Select(d => d.Event.EventId).ToList();
        var completedAt = await TimesAsync(completed, ct);
        var sentAfterCompleted = sentSteps.Count(s => RecoveryTriggers.Contains(s.Trigger) && s.Email is not null && completedAt.TryGetValue((s.StoreId, s.Email), out var at) && s.FiredAt > at);

        // 5. The frequency cap: two recovery messages to one shopper due closer together than the cap.
        var capViolations = sentSteps.Where(s => RecoveryTriggers.Contains(s.Trigger) && s.Email is not null)
            .GroupBy(s => (s.StoreId, s.Email))
            .Sum(g => g.OrderBy(s => s.DueAt).Zip(g.OrderBy(s => s.DueAt).Skip(1)).Count(p => p.Second.DueAt - p.First.DueAt < options.FrequencyCap));

        return new FaultResult
        {
            Fault = fault,
            EventsSent = events.Count,
            EventsAcknowledged = acknowledged.Count,
            EventsRetriedToSuccess = events.Count(r => r.FinalStatus == DeliveryRecord.Acknowledged && r.Delivery.Attempts.Count > 1),
            EventsGivenUp = events.Count(r => r.FinalStatus != DeliveryRecord.Acknowledged),
            EventsStored = stored.Count,
            Lost = acknowledged.Count(id => !stored.ContainsKey(id)),
            Duplicates = stored.Values.Sum(c => c - 1) + taken.Values.Sum(c => c - 1),
            EventsNotHandedOn = stored.Keys.Count(id => !taken.ContainsKey(id)),
            DuplicateDeliveries = events.Sum(r => r.Duplicates.Count),
            DuplicateDeliveriesAcknowledgedAsDuplicate = events.Sum(r => r.Duplicates.Count(d => d.AcknowledgedAsDuplicate == true)),
            StepsDue = steps.Count(s => s.State is "sent" or "skipped") + steps.Count(s => s.State == "scheduled" && s.DueAt <= windowEnd),
            StepsLeftBehind = steps.Count(s => s.State == "scheduled" && s.DueAt <= windowEnd),
            StepsSent = sentSteps.Count,
            MessagesExpected = expected.Count,
            MessagesSent = arrived.Count,
            MessagesMissing = sentSteps.Count(s => !requests.ContainsKey(s.Key))
                + requests.Values.Count(r => r.Status == "pending")
                + expected.Count(r => !accepted.ContainsKey(r.MessageId)),
            MessagesDuplicated = arrived.Sum(r => accepted[r.MessageId].Count - 1),
            SentAfterCompleted = sentAfterCompleted,
            SentToSuppressed = claimedAfterSuppression,
            SentToSuppressedInFlight = sentAfterSuppression.Count - claimedAfterSuppression,
            FrequencyCapViolations = capViolations,
            HardBounced = requests.Values.Count(r => r.Status == "dead_lettered"),
            Responses5xxOtherThan503 = attempts.Count(a => a.Status >= 500 && a.Status != 503),
            Responses503 = attempts.Count(a => a.Status == 503),
            Responses503WithoutRetryAfter = attempts.Count(a => a.Status == 503 && !a.RetryAfter),
        };
    }

    private sealed record StepRow(string Key, string State, DateTimeOffset DueAt, DateTimeOffset? FiredAt, string StoreId, string? Email, string Trigger, string SubjectKey);

    private sealed record RequestRow(string MessageId, string Status, string To, string StoreId, DateTimeOffset? ClaimedAt);

    /// <summary>When Workflows took each event, by the shopper it was about.</summary>
    private async Task<Dictionary<(string, string), DateTimeOffset>> TimesAsync(List<string> eventIds, CancellationToken ct)
    {
        var times = new Dictionary<(string, string), DateTimeOffset>();
        await using var connection = new NpgsqlConnection(stack.ConnectionString("workflowsdb"));
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(
            "SELECT store_id, shopper_email, received_at FROM received_events WHERE event_id = ANY(@ids) AND shopper_email IS NOT NULL", connection);
        command.Parameters.AddWithValue("ids", eventIds.ToArray());
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var key = (reader.GetString(0), reader.GetString(1));
            var at = reader.GetFieldValue<DateTimeOffset>(2);
            if (!times.TryGetValue(key, out var earlier) || at < earlier)
            {
                times[key] = at;
            }
        }
        return times;
    }

    private async Task<Dictionary<string, int>> CountByAsync(string database, string sql, List<string> ids, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(stack.ConnectionString(database));
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("ids", ids.ToArray());
        var counts = new Dictionary<string, int>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            counts[reader.GetString(0)] = (int)reader.GetInt64(1);
        }
        return counts;
    }

    /// <summary>Workflows' outbox table: <c>outbox</c>, or <c>outbox_messages</c> since the shared outbox library.</summary>
    private async Task<string> WorkflowsOutboxAsync(CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(stack.ConnectionString("workflowsdb"));
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("SELECT to_regclass('outbox_messages') IS NOT NULL", connection);
        return (bool)(await command.ExecuteScalarAsync(ct))! ? "outbox_messages" : "outbox";
    }

    private async Task<long> ScalarAsync(string database, string sql, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(stack.ConnectionString(database));
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <summary>
    /// The documented duplicate window, made to happen: a message request to Notifier; the SMTP server journals the
    /// message, kills every Notifier process (-9) before answering 250, and Notifier is started again.
    /// </summary>
    public async Task<DuplicateWindowResult> RunDuplicateWindowAsync(CancellationToken ct)
    {
        var key = $"chaos:duplicate-window:{Guid.NewGuid():N}";
        var notifiers = Enumerable.Range(0, stack.ReplicasOf(DeployedStack.Notifier)).ToList();
        var pids = notifiers.Select(r => stack.Process(DeployedStack.Notifier, r).Pid!.Value).ToList();
        await File.WriteAllTextAsync(stack.JournalPath + ".kill", string.Join(",", pids), ct);

        using var http = new HttpClient { BaseAddress = stack.Url(DeployedStack.Notifier, 0) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", stack.Options.AdminApiKey);
        var body = JsonSerializer.Serialize(new
        {
            idempotency_key = key, store_id = "chaos-store.myshopify.com", store_name = "Chaos Store", to = "window@example.com",
            subject = "The duplicate window", html_body = "<p>Sent once, crashed before the commit.</p>",
            tags = new Dictionary<string, string> { ["chaos"] = "duplicate-window" },
        });
        using (var response = await http.PostAsync("/api/message-requests", new StringContent(body, Encoding.UTF8, "application/json"), ct))
        {
            response.EnsureSuccessStatusCode();
        }

        // The SMTP server kills them when the message is in; wait for that, then start them again.
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromMinutes(1);
        while (notifiers.Any(r => stack.Process(DeployedStack.Notifier, r).Running) && DateTimeOffset.UtcNow < deadline)
        {
            await Task.Delay(100, ct);
        }
        foreach (var replica in notifiers)
        {
            await stack.KillAsync(DeployedStack.Notifier, replica);
            await stack.RestartAsync(DeployedStack.Notifier, replica, ct);
        }
        await DrainAsync(ct);

        string? status = null, messageId = null;
        var attempts = 0;
        await using (var connection = new NpgsqlConnection(stack.ConnectionString("notifierdb")))
        {
            await connection.OpenAsync(ct);
            await using var command = new NpgsqlCommand(
                "SELECT r.status, r.message_id, (SELECT count(*) FROM delivery_attempts a WHERE a.message_request_id = r.id) FROM message_requests r WHERE r.idempotency_key = @key",
                connection);
            command.Parameters.AddWithValue("key", key);
            await using var reader = await command.ExecuteReaderAsync(ct);
            if (await reader.ReadAsync(ct))
            {
                (status, messageId, attempts) = (reader.GetString(0), reader.GetString(1), (int)reader.GetInt64(2));
            }
        }
        var acceptances = JournalSmtpServer.Read(stack.JournalPath).Count(e => e.MessageId == messageId);
        return new DuplicateWindowResult
        {
            MessageId = messageId ?? "(no request)",
            Acceptances = acceptances,
            NotifierStatus = status,
            NotifierAttempts = attempts,
            WhatHappened = acceptances switch
            {
                2 => "The SMTP server accepted the message, Notifier died before committing, and on restart sent it again with the same Message-ID: the shopper's mail client sees one message ID twice (the documented window).",
                1 => "Accepted once: Notifier committed before it died, or did not resend.",
                _ => $"Accepted {acceptances} times.",
            },
        };
    }
}
