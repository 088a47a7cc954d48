using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using FlexyPe.Recovery.StackTests.Stack;
using Npgsql;

namespace FlexyPe.Recovery.StackTests.Workflows;

/// <summary>Talks to Workflows the way Ingest, Notifier and an operator do, and reads workflowsdb the way an operator would.</summary>
public sealed class WorkflowsApi(RecoveryStack stack) : IDisposable
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
    private static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(40);

    public HttpClient Http { get; } = CreateClient(stack);

    private static HttpClient CreateClient(RecoveryStack stack)
    {
        var http = stack.CreateHttpClient("workflows");
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", stack.AdminApiKey);
        return http;
    }

    /// <summary>
    /// Waits until Workflows answers <c>/health</c> with 200 eight times in a row, each on a new connection. The AppHost's
    /// health check of it can pass while a replica is still starting: the AppHost's proxy sends each connection to one of
    /// them, and one still starting closes it (seen on a loaded machine: a replica in the Quartz cluster, not yet
    /// listening); eight in a row reach them all.
    /// </summary>
    public static async Task WaitUntilServingAsync(RecoveryStack stack, CancellationToken cancellationToken)
    {
        const int InARow = 8;
        var served = 0;
        while (served < InARow)
        {
            try
            {
                using var http = stack.CreateHttpClient("workflows");
                served = (await http.GetAsync("/health", cancellationToken)).IsSuccessStatusCode ? served + 1 : 0;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
                served = 0;
            }
            if (served < InARow)
            {
                await Task.Delay(served == 0 ? 200 : 20, cancellationToken);
            }
        }
    }

    public async Task<JsonObject> PostEventAsync(JsonObject normalizedEvent)
    {
        var response = await Http.PostAsync("/internal/events", new StringContent(normalizedEvent.ToJsonString(), System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    /// <summary>Posts events as Ingest's relay does (<c>/internal/events/batch</c>); the per-event answers, in order.</summary>
    public async Task<List<JsonObject>> PostEventBatchAsync(params (JsonObject Event, string? TraceParent)[] batch)
    {
        var body = new JsonObject
        {
            ["events"] = new JsonArray([.. batch.Select(b => new JsonObject { ["trace_parent"] = b.TraceParent, ["event"] = b.Event.DeepClone() })]),
        };
        var response = await Http.PostAsync("/internal/events/batch", new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        return [.. (await response.Content.ReadFromJsonAsync<JsonObject>())!["results"]!.AsArray().Select(r => r!.AsObject())];
    }

    public async Task PostDeliveryEventAsync(object deliveryEvent)
    {
        var response = await Http.PostAsJsonAsync("/internal/delivery-events", deliveryEvent, Json);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
    }

    public async Task<List<JsonObject>> EnrollmentsAsync(string storeId, string? sequence = null)
    {
        var url = $"/api/enrollments?store_id={Uri.EscapeDataString(storeId)}" + (sequence is null ? "" : $"&sequence={sequence}");
        return (await Http.GetFromJsonAsync<List<JsonObject>>(url))!;
    }

    /// <summary>
    /// Adds an enabled sequence whose steps each count from the trigger, and answers the status. A trigger enrolls in
    /// the first enabled sequence by key, so a key that sorts first ("aaa-…") takes the test's shoppers; disable it again
    /// afterwards (<c>DELETE /api/sequences/{key}</c>).
    /// </summary>
    public async Task<System.Net.HttpStatusCode> CreateSequenceAsync(
        string key, string name, string trigger, params (string Delay, string Subject, string Template)[] steps)
    {
        using var created = await Http.PostAsJsonAsync("/api/sequences", new
        {
            key, name, trigger,
            steps = steps.Select(step => new { delay = step.Delay, delay_from = "trigger", subject = step.Subject, template = step.Template, enabled = true }),
        }, Json);
        return created.StatusCode;
    }

    public async Task<JsonObject> EnrollmentAsync(string storeId, string sequence)
    {
        var all = await EnrollmentsAsync(storeId, sequence);
        return Assert.Single(all);
    }

    /// <summary>An enrollment with its steps and timeline.</summary>
    public async Task<JsonObject> TimelineAsync(string id) => (await Http.GetFromJsonAsync<JsonObject>($"/api/enrollments/{id}"))!;

    public static IEnumerable<JsonObject> Steps(JsonObject timeline) => timeline["steps"]!.AsArray().Select(s => s!.AsObject());

    public static string State(JsonObject step) => (string)step["state"]!;

    /// <summary>Polls until <paramref name="condition"/> holds for the enrollment's timeline, or fails with the last one seen.</summary>
    public Task<JsonObject> WaitForAsync(string enrollmentId, Func<JsonObject, bool> condition, TimeSpan? timeout = null)
        => Eventually.MatchesAsync(() => TimelineAsync(enrollmentId), condition, $"enrollment {enrollmentId} to reach the expected state", timeout ?? DefaultWait);

    /// <summary>The message requests in the outbox whose idempotency key starts with <paramref name="keyPrefix"/>.</summary>
    public async Task<List<OutboxRow>> OutboxAsync(string keyPrefix)
    {
        await using var connection = new NpgsqlConnection(await stack.App.GetConnectionStringAsync("workflowsdb"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT key, payload::text, trace_parent, attempts, delivered_at, last_error FROM outbox_messages WHERE key LIKE @prefix || '%' ORDER BY key",
            connection);
        command.Parameters.AddWithValue("prefix", keyPrefix);
        var rows = new List<OutboxRow>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(new OutboxRow(
                reader.GetString(0), JsonNode.Parse(reader.GetString(1))!.AsObject(), reader.IsDBNull(2) ? null : reader.GetString(2),
                reader.GetInt32(3), reader.IsDBNull(4) ? null : reader.GetFieldValue<DateTimeOffset>(4), reader.IsDBNull(5) ? null : reader.GetString(5)));
        }
        return rows;
    }

    public async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = new NpgsqlConnection(await stack.App.GetConnectionStringAsync("workflowsdb"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Rows of a query against workflowsdb, each as its column values.</summary>
    public async Task<List<object?[]>> QueryAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(await stack.App.GetConnectionStringAsync("workflowsdb"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<object?[]>();
        while (await reader.ReadAsync())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }
            rows.Add(row);
        }
        return rows;
    }

    /// <summary>
    /// Takes the lock event intake holds while it takes an event of the shopper (what a busy shopper looks like to
    /// intake and to step firing); disposing the connection lets go of it (it is not pooled: its session ends).
    /// </summary>
    public async Task<NpgsqlConnection> HoldShopperLockAsync(string storeId, string email)
    {
        var connection = new NpgsqlConnection(
            new NpgsqlConnectionStringBuilder(await stack.App.GetConnectionStringAsync("workflowsdb")) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var take = new NpgsqlCommand("SELECT pg_advisory_lock(hashtextextended(@name, 0))", connection);
        take.Parameters.AddWithValue("name", $"{storeId}|shopper:{email}");
        await take.ExecuteNonQueryAsync();
        return connection;
    }

    public async Task<int> ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(await stack.App.GetConnectionStringAsync("workflowsdb"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteNonQueryAsync();
    }

    /// <summary>PUTs a store's settings as an operator would (the store must have sent an event); the answer's body.</summary>
    public async Task<JsonObject> PutSettingsAsync(string storeId, object settings, string? actor = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/stores/{Uri.EscapeDataString(storeId)}/settings")
        {
            Content = JsonContent.Create(settings, options: Json),
        };
        if (actor is not null)
        {
            request.Headers.Add("X-FlexyPe-Actor", actor);
        }
        var response = await Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"PUT settings answered {(int)response.StatusCode}: {body}");
        return JsonNode.Parse(body)!.AsObject();
    }

    public async Task<JsonObject> GetJsonAsync(string path) => (await Http.GetFromJsonAsync<JsonObject>(path))!;

    public void Dispose() => Http.Dispose();
}

public sealed record OutboxRow(string IdempotencyKey, JsonObject Payload, string? TraceParent, int Attempts, DateTimeOffset? DeliveredAt, string? LastError);
