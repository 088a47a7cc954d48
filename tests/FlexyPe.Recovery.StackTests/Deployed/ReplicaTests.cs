using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using FlexyPe.Chaos.Faults;
using FlexyPe.Chaos.Stack;
using Npgsql;
using Xunit.Abstractions;

namespace FlexyPe.Recovery.StackTests.Deployed;

/// <summary>
/// Two processes of each service under the same faults: the same exactly-once results, and the frequency cap holds
/// although both Workflows processes claim steps at the same moment.
/// </summary>
[Collection(ReplicatedStackCollection.Name)]
public sealed class ReplicaTests(ReplicatedStackFixture fixture, ITestOutputHelper output)
{
    public static TheoryData<string, string> Faults => new()
    {
        { "ingest", DeployedStack.Ingest },
        // With one of two Workflows processes down, the events Ingest handed to it wait for a retry while the others go
        // on: an abandonment without a time of its own (2025-09, legacy) that reached Workflows behind its shopper's
        // purchase started a sequence, until the time Ingest received it was taken as when it happened.
        { "workflows", DeployedStack.Workflows },
        { "notifier", DeployedStack.Notifier },
    };

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task Killing_one_replica_mid_stream_loses_and_doubles_nothing(string fault, string target)
    {
        var scenario = new ChaosScenario(fixture.Stack, DeployedStackFixture.Scenario, output.WriteLine);

        var result = await scenario.RunAsync($"{fault}-replica", target, [0]);

        output.WriteLine(JsonSerializer.Serialize(result, ChaosReport.Json));
        Assert.True(result.StepsSent > 0 && result.MessagesSent > 0, "no step was sent: the fault was not exercised end to end");
        Assert.Equal(0, result.Lost);
        Assert.Equal(0, result.Duplicates);
        Assert.Equal(0, result.EventsNotHandedOn);
        Assert.Equal(0, result.StepsLeftBehind);
        Assert.Equal(0, result.MessagesMissing);
        // Killing Notifier may land between the server's 250 and its commit for the messages in flight (one per sending
        // loop): each is sent once more with the same Message-ID, the documented window measured on its own below.
        Assert.InRange(result.MessagesDuplicated, 0, target == DeployedStack.Notifier ? 4 : 0);
        Assert.Equal(0, result.SentAfterCompleted);
        Assert.Equal(0, result.SentToSuppressed);
        Assert.Equal(0, result.FrequencyCapViolations);
        Assert.Equal(0, result.Responses5xxOtherThan503);
        Assert.True(result.Drained, "work was left waiting: " + JsonSerializer.Serialize(result.LeftWaiting));
    }

    [Fact]
    public async Task Two_workflows_processes_claiming_a_shoppers_steps_at_once_send_one_per_frequency_cap()
    {
        var stack = fixture.Stack;
        var store = $"cap-{Guid.NewGuid():N}.myshopify.com";
        const int shoppers = 20;
        using var workflows = new HttpClient { BaseAddress = stack.Url(DeployedStack.Workflows) };
        workflows.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", fixture.AdminApiKey);

        // Each shopper abandons two checkouts at once: two enrollments whose steps fall due together (1, 3 and 5 s).
        var events = new NormalizedEvents();
        var posts = new List<Task<HttpResponseMessage>>();
        for (var i = 0; i < shoppers; i++)
        {
            // An address the SMTP server takes: a hard bounce would suppress the shopper, and cancel the steps after it.
            var email = NormalizedEvents.NewEmail();
            while (JournalSmtpServer.Bounces(email, DeployedStackFixture.BounceRate))
            {
                email = NormalizedEvents.NewEmail();
            }
            foreach (var checkout in new[] { $"cap-{i}-a-{Guid.NewGuid():N}", $"cap-{i}-b-{Guid.NewGuid():N}" })
            {
                var e = events.AbandonedCheckout(checkout, email);
                e["store_id"] = store;
                posts.Add(workflows.PostAsync("/internal/events", new StringContent(e.ToJsonString(), Encoding.UTF8, "application/json")));
            }
        }
        foreach (var response in await Task.WhenAll(posts))
        {
            response.EnsureSuccessStatusCode();
        }

        var steps = await Eventually.GetAsync(async () =>
        {
            var rows = await StepsAsync(stack, store);
            return rows.Count == shoppers * 6 && rows.All(r => r.State != "scheduled") ? rows : null;
        }, "every step of the store to fire", TimeSpan.FromMinutes(2));

        var firedBy = steps!.Where(s => s.FiredBy is not null).Select(s => s.FiredBy).Distinct().Count();
        output.WriteLine($"{steps.Count(s => s.State == "sent")} sent, {steps.Count(s => s.Reason == "frequency cap")} capped, by {firedBy} processes");
        foreach (var shopper in steps.GroupBy(s => s.Email))
        {
            var sent = shopper.Where(s => s.State == "sent").OrderBy(s => s.DueAt).ToList();
            var tooClose = sent.Zip(sent.Skip(1)).Where(p => p.Second.DueAt - p.First.DueAt < DeployedStackFixture.Scenario.FrequencyCap).ToList();
            Assert.True(tooClose.Count == 0, $"{shopper.Key}: two recovery messages due {string.Join(", ", tooClose.Select(p => (p.Second.DueAt - p.First.DueAt).TotalMilliseconds + " ms"))} apart were both sent");
            // Of steps falling due within the cap of each other one went out: every other step was capped by a sent one.
            // (Each shopper's two checkouts were taken at nearly the same moment; how near depends on the machine.)
            Assert.True(sent.Count >= 3, $"{shopper.Key}: only {sent.Count} of the shopper's steps were sent: "
                + string.Join("; ", shopper.OrderBy(s => s.DueAt).Select(s => $"{s.DueAt:HH:mm:ss.fff} {s.State} {s.Reason}")));
            foreach (var step in shopper.Where(s => s.State != "sent"))
            {
                Assert.Equal("frequency cap", step.Reason);
                Assert.Contains(sent, s => (s.DueAt - step.DueAt).Duration() < DeployedStackFixture.Scenario.FrequencyCap);
            }
        }
    }

    private sealed record Step(string Email, string State, string? Reason, DateTimeOffset DueAt, string? FiredBy);

    private static async Task<List<Step>> StepsAsync(DeployedStack stack, string store)
    {
        await using var connection = new NpgsqlConnection(stack.ConnectionString("workflowsdb"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT e.shopper_email, s.state, s.reason, s.due_at, s.fired_by
            FROM scheduled_steps s JOIN enrollments e ON e.id = s.enrollment_id WHERE e.store_id = @store
            """, connection);
        command.Parameters.AddWithValue("store", store);
        var steps = new List<Step>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            steps.Add(new Step(reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2),
                reader.GetFieldValue<DateTimeOffset>(3), reader.IsDBNull(4) ? null : reader.GetString(4)));
        }
        return steps;
    }
}
