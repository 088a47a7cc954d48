using System.Text.Json;
using FlexyPe.Chaos.Faults;
using FlexyPe.Chaos.Stack;
using Xunit.Abstractions;

namespace FlexyPe.Recovery.StackTests.Deployed;

/// <summary>
/// Guarantees 1 to 4 under crashes (the short form of bench/chaos.sh): while journeys stream in, with FlexyPe's retries
/// and duplicates, one process is killed (-9) and started again. Nothing acknowledged is lost or stored twice, every
/// step that came due is sent once, nothing goes after a purchase or to a suppressed address, and a Postgres outage
/// answers 503 with Retry-After, never 200.
/// </summary>
[Collection(DeployedStackCollection.Name)]
public sealed class FaultTests(DeployedStackFixture fixture, ITestOutputHelper output)
{
    public static TheoryData<string, string?> Faults => new()
    {
        { "ingest", DeployedStack.Ingest },
        { "workflows", DeployedStack.Workflows },
        { "notifier", DeployedStack.Notifier },
        { "postgres", DeployedStack.Postgres },
        { "redis", DeployedStack.Redis },
        { "smtp", DeployedStack.Smtp },
    };

    /// <summary>
    /// What ASP.NET Core logged of an exception that escaped Ingest's handler (a 500), into the test's output: the
    /// deployed stack's logs go with it when the collection ends.
    /// </summary>
    private void WriteIngestFailures()
    {
        foreach (var log in Directory.EnumerateFiles(fixture.Stack.LogDirectory, "ingest-*.log"))
        {
            var lines = File.ReadAllLines(log);
            for (var i = 0; i < lines.Length; i++)
            {
                if (lines[i].StartsWith("fail: Microsoft.AspNetCore", StringComparison.Ordinal))
                {
                    output.WriteLine($"{Path.GetFileName(log)}: {string.Join('\n', lines.Skip(i).Take(12))}");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task Killing_a_process_mid_stream_loses_doubles_and_misdirects_nothing(string fault, string? target)
    {
        var scenario = new ChaosScenario(fixture.Stack, DeployedStackFixture.Scenario, output.WriteLine);

        var result = await scenario.RunAsync(fault, target, [0]);

        output.WriteLine(JsonSerializer.Serialize(result, ChaosReport.Json));
        if (result.Responses5xxOtherThan503 > 0)
        {
            WriteIngestFailures();
        }
        Assert.True(result.EventsAcknowledged > 0, "nothing was acknowledged: the stream did not run");
        Assert.True(result.StepsSent > 0 && result.MessagesSent > 0, "no step was sent: the fault was not exercised end to end");
        Assert.Equal(0, result.Lost);
        Assert.Equal(0, result.Duplicates);
        Assert.Equal(0, result.EventsNotHandedOn);
        Assert.Equal(0, result.StepsLeftBehind);
        Assert.Equal(result.MessagesExpected, result.MessagesSent);
        Assert.Equal(0, result.MessagesMissing);
        // Killing Notifier, or Postgres under it, may land between the server's 250 and Notifier's commit for the
        // messages in flight (one per sending loop): each is sent once more with the same Message-ID, the documented
        // window measured on its own below.
        Assert.InRange(result.MessagesDuplicated, 0, target is DeployedStack.Notifier or DeployedStack.Postgres ? 4 : 0);
        Assert.Equal(0, result.SentAfterCompleted);
        Assert.Equal(0, result.SentToSuppressed);
        Assert.Equal(0, result.FrequencyCapViolations);
        Assert.Equal(0, result.Responses5xxOtherThan503);
        Assert.Equal(0, result.Responses503WithoutRetryAfter);
        if (target == DeployedStack.Postgres)
        {
            Assert.Equal(0, result.AcknowledgedWhilePostgresDown);
            Assert.True(result.AnswersWhilePostgresDown!.GetValueOrDefault("503") > 0, "no request was answered while Postgres was down");
        }
        Assert.True(result.Drained, "work was left waiting: " + JsonSerializer.Serialize(result.LeftWaiting));
    }

    [Fact]
    public async Task A_crash_between_the_servers_acceptance_and_notifiers_commit_resends_the_same_message_id_once()
    {
        var scenario = new ChaosScenario(fixture.Stack, DeployedStackFixture.Scenario, output.WriteLine);

        var window = await scenario.RunDuplicateWindowAsync(CancellationToken.None);

        output.WriteLine(JsonSerializer.Serialize(window, ChaosReport.Json));
        // The documented window, measured: the message arrives twice, as one Message-ID, and Notifier records it sent.
        Assert.Equal(2, window.Acceptances);
        Assert.Equal("sent", window.NotifierStatus);
    }
}
