using System.Text.Json.Nodes;
using Npgsql;

namespace ConsoleBench;

/// <summary>
/// The data set the console must stay fast on: 10,000 enrollments (three steps each, some recovered) and their received
/// events in workflowsdb, 10,000 stored events in ingestdb, and 100,000 messages in notifierdb, spread over 30 days.
/// Written with set-based SQL (generate_series), so making it takes seconds.
/// </summary>
public static class DataSet
{
    public const string Store = "bench-store.myshopify.com";
    public const int Enrollments = 10_000;
    public const int Messages = 100_000;

    /// <summary>An email of the data set, for the shopper search.</summary>
    public static string ShopperEmail(int n) => $"shopper{n}@bench.example";

    public static async Task WriteAsync(string workflowsDb, string ingestDb, string notifierDb)
    {
        await ExecuteAsync(workflowsDb, $"""
            INSERT INTO stores (store_id, name, first_seen_at) VALUES ('{Store}', 'Bench Store', now() - interval '30 days')
            ON CONFLICT DO NOTHING;

            INSERT INTO enrollments (id, store_id, sequence_id, sequence_key, trigger, subject_key, shopper_email, shopper_phone,
                                     state, end_reason, session_state, context_event_id, context_occurred_at, enrolled_at, ended_at)
            SELECT gen_random_uuid(), '{Store}', s.id, s.key, s.trigger, 'bench-checkout-' || n, 'shopper' || n || '@bench.example',
                   '+9198' || lpad(n::text, 8, '0'),
                   CASE WHEN n % 7 = 0 THEN 'recovered' WHEN n % 3 = 0 THEN 'active' ELSE 'finished' END,
                   CASE WHEN n % 7 = 0 THEN 'purchase' ELSE NULL END, 'PAYMENT_LOADED', 'bench-evt-' || n,
                   now() - (n % 30) * interval '1 day', now() - (n % 30) * interval '1 day' - (n % 1440) * interval '1 minute',
                   CASE WHEN n % 3 = 0 THEN NULL ELSE now() - (n % 30) * interval '1 day' + interval '3 days' END
            FROM generate_series(1, {Enrollments}) AS n
            CROSS JOIN (SELECT id, key, trigger FROM sequences WHERE key = 'abandoned-checkout' AND is_current) AS s;

            INSERT INTO scheduled_steps (id, enrollment_id, step_number, due_at, state, reason, idempotency_key, fired_at, delivery_status)
            -- A step still scheduled is due in the future: the stack must not start sending the data set.
            SELECT gen_random_uuid(), e.id, k,
                   CASE WHEN e.state = 'active' AND k = 3 THEN now() + interval '2 days' ELSE e.enrolled_at + k * interval '1 day' END,
                   CASE WHEN e.state = 'active' AND k = 3 THEN 'scheduled' WHEN e.state = 'recovered' AND k > 1 THEN 'cancelled' ELSE 'sent' END,
                   CASE WHEN e.state = 'recovered' AND k > 1 THEN 'checkout completed' ELSE NULL END,
                   'enrollment:' || e.id || ':step:' || k,
                   CASE WHEN e.state = 'active' AND k = 3 THEN NULL ELSE e.enrolled_at + k * interval '1 day' END,
                   CASE WHEN e.state = 'active' AND k = 3 THEN NULL WHEN e.state = 'recovered' AND k > 1 THEN NULL ELSE 'sent' END
            FROM enrollments e CROSS JOIN generate_series(1, 3) AS k
            WHERE e.store_id = '{Store}';

            INSERT INTO recoveries (id, store_id, checkout_key, enrollment_id, sequence_id, sequence_key, step_number, revenue, recovered_at)
            SELECT gen_random_uuid(), e.store_id, e.subject_key, e.id, e.sequence_id, e.sequence_key, 1, 500 + (abs(hashtext(e.subject_key)) % 2000), e.enrolled_at + interval '1 day 2 hours'
            FROM enrollments e WHERE e.store_id = '{Store}' AND e.state = 'recovered';

            INSERT INTO received_events (store_id, event_id, type, shopper_email, occurred_at, received_at, payload)
            SELECT '{Store}', 'bench-evt-' || n, 'abandoned_checkout', 'shopper' || n || '@bench.example',
                   now() - (n % 30) * interval '1 day', now() - (n % 30) * interval '1 day',
                   jsonb_build_object('event_id', 'bench-evt-' || n, 'store_id', '{Store}', 'type', 'abandoned_checkout',
                     'customer', jsonb_build_object('email', 'shopper' || n || '@bench.example', 'first_name', 'Shopper' || n),
                     'cart', jsonb_build_array(jsonb_build_object('title', 'Item ' || n, 'price', 630, 'quantity', 1)),
                     'checkout', jsonb_build_object('checkout_url', 'https://bench-store.myshopify.com/?flx_s=' || n, 'total_payable', 630),
                     'store', jsonb_build_object('name', 'Bench Store'))
            FROM generate_series(1, {Enrollments}) AS n
            ON CONFLICT DO NOTHING;
            ANALYZE;
            """);

        await ExecuteAsync(ingestDb, $"""
            INSERT INTO events (store_id, event_id, type, payload_version, occurred_at, received_at, email, checkout_key, raw, headers, normalized)
            SELECT '{Store}', 'bench-evt-' || n, 'abandoned_checkout', '2026-05', now() - (n % 30) * interval '1 day',
                   now() - (n % 30) * interval '1 day', 'shopper' || n || '@bench.example', 'bench-checkout-' || n,
                   jsonb_build_object('event_id', 'bench-evt-' || n), jsonb_build_object(),
                   jsonb_build_object('event_id', 'bench-evt-' || n, 'type', 'abandoned_checkout')
            FROM generate_series(1, {Enrollments}) AS n
            ON CONFLICT DO NOTHING;
            ANALYZE;
            """);

        // Sent, dead-lettered and suppressed only: nothing the Notifier's workers would pick up and send. Each row is the
        // size of a real one (an HTML body of about 3 KB, its text part, and for a sent message the MIME it was sent as,
        // about 6 KB), with per-message content so that it compresses no better than a real email: a list that reads
        // the whole table is as slow here as it would be on a real one.
        await ExecuteAsync(notifierDb, $"""
            INSERT INTO message_requests (id, idempotency_key, store_id, store_name, "to", subject, html_body, text_body, tags,
                                          "from", reply_to, track_clicks, status, attempt_count, created_at, next_attempt_at,
                                          completed_at, last_smtp_reply, message_id, mime, trace_parent)
            SELECT gen_random_uuid(), 'bench:' || n, '{Store}', 'Bench Store', 'shopper' || (n % {Enrollments}) || '@bench.example',
                   'Shopper, you left something in your cart', b.html, b.text,
                   jsonb_build_object('sequence', 'abandoned-checkout', 'step', (n % 3 + 1)::text), NULL, NULL, false,
                   CASE WHEN n % 97 = 0 THEN 'dead_lettered' WHEN n % 89 = 0 THEN 'suppressed' ELSE 'sent' END, 1,
                   now() - (n % 43200) * interval '1 minute', now(), now() - (n % 43200) * interval '1 minute' + interval '2 seconds',
                   CASE WHEN n % 97 = 0 THEN '550 5.1.1 mailbox unavailable' ELSE '250 2.0.0 OK queued' END,
                   'bench-' || n || '@bench.example',
                   CASE WHEN n % 97 = 0 OR n % 89 = 0 THEN NULL
                        ELSE 'Content-Type: multipart/alternative; boundary="b' || n || E'"\r\n\r\n' || b.text || E'\r\n' || b.html || E'\r\n' || b.html END,
                   NULL
            FROM generate_series(1, {Messages}) AS n
            CROSS JOIN LATERAL (
                SELECT '<table role="presentation" width="100%">' || string_agg(
                           '<tr><td style="padding:8px 12px;font-family:Arial,sans-serif;color:#1a1a1a">' || md5(n || ':' || i) ||
                           '</td><td style="text-align:right">&#8377;' || (100 + i * 7) || '.00</td></tr>', '') || '</table>' AS html,
                       string_agg('Item ' || i || ' ' || md5(i || ':' || n) || E'\n', '') AS text
                FROM generate_series(1, 24) AS i) AS b
            ON CONFLICT DO NOTHING;
            ANALYZE;
            """);
    }

    /// <summary>
    /// Vacuums and analyzes each database, then checkpoints: tables that appeared in one go otherwise get autovacuum's
    /// first pass (and a checkpoint of the writes) while the pages are being timed, which tables that grew over 30 days
    /// would have had long ago.
    /// </summary>
    public static async Task SettleAsync(params string[] connectionStrings)
    {
        foreach (var connectionString in connectionStrings)
        {
            // VACUUM runs alone: it cannot be part of a multi-statement batch (an implicit transaction).
            await ExecuteAsync(connectionString, "VACUUM (ANALYZE)");
        }
        try
        {
            await ExecuteAsync(connectionStrings[0], "CHECKPOINT");
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InsufficientPrivilege)
        {
            Console.WriteLine("no checkpoint: the connection's role may not take one");
        }
    }

    /// <summary>EXPLAIN ANALYZE of <paramref name="sql"/>: its execution time, buffers read and top plan node.</summary>
    public static async Task<JsonObject> ExplainAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {sql}", connection);
        var plan = JsonNode.Parse((string)(await command.ExecuteScalarAsync())!)![0]!;
        var top = plan["Plan"]!;
        var scan = top;
        while (scan["Plans"] is JsonArray children && children.Count > 0)
        {
            scan = children[0]!;
        }
        return new JsonObject
        {
            ["execution_ms"] = Math.Round((double)plan["Execution Time"]!, 2),
            ["scan"] = $"{scan["Node Type"]} {scan["Index Name"] ?? scan["Relation Name"]}",
            ["shared_buffers_read_and_hit"] = (long)top["Shared Hit Blocks"]! + (long)top["Shared Read Blocks"]!,
        };
    }

    public static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 600 };
        await command.ExecuteNonQueryAsync();
    }

    public static async Task<long> CountAsync(string connectionString, string table)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT count(*) FROM {table}", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
