using FlexyPe.Simulator.Cli;
using FlexyPe.Simulator.Delivery;
using FlexyPe.Simulator.Reporting;
using Spectre.Console;

namespace FlexyPe.Recovery.UnitTests.Simulator;

/// <summary>The flexype-simulator program as a user runs it: options, the secret, the report file.</summary>
public sealed class CommandLineTests
{
    [Fact]
    public void Options_are_read_and_bad_ones_refused()
    {
        var parsed = SimulatorArguments.Parse(["load", "--rate", "250", "--duration", "3", "--version", "legacy", "--retry-scale", "0.001", "--duplicate-rate", "0.2"]);

        Assert.Equal("load", parsed.Command);
        Assert.Equal(250, parsed.Rate);
        Assert.Equal("legacy", parsed.Version);
        Assert.Equal(0.001, parsed.RetryScale);
        Assert.Throws<ArgumentException>(() => SimulatorArguments.Parse(["send", "--version", "2024-01"]));
        Assert.Throws<ArgumentException>(() => SimulatorArguments.Parse(["send", "--duplicate-rate", "2"]));
        Assert.Throws<ArgumentException>(() => SimulatorArguments.Parse(["replay"]));
    }

    [Fact]
    public async Task A_send_run_writes_a_report_of_every_event_with_its_attempts_and_never_the_secret()
    {
        // Every other new event id is refused once, then accepted: retries happen, and none runs out (deliveries run
        // concurrently, so a rule on the request's overall number could refuse one event four times running).
        var refusedOnce = new System.Collections.Concurrent.ConcurrentDictionary<string, bool>();
        var seen = 0;
        using var receiver = new ScriptedReceiver((_, request) => Task.FromResult(
            request.EventId is { } id && refusedOnce.GetOrAdd(id, _ => Interlocked.Increment(ref seen) % 2 == 0) && refusedOnce.TryUpdate(id, false, true)
                ? 503
                : 200));
        var secretVariable = $"SIMULATOR_TEST_SECRET_{Guid.NewGuid():N}";
        var secret = $"secret-{Guid.NewGuid():N}";
        Environment.SetEnvironmentVariable(secretVariable, secret);
        var reportPath = Path.Combine(Path.GetTempPath(), $"simulator-report-{Guid.NewGuid():N}.json");
        var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output) });
        try
        {
            var exit = await SimulatorCommands.RunAsync(SimulatorArguments.Parse(
                ["send", "--url", receiver.Url.ToString(), "--secret-env", secretVariable, "--journeys", "6", "--seed", "5",
                 "--retry-scale", "0.0001", "--duplicate-rate", "0.5", "--report", reportPath]), console, CancellationToken.None);

            Assert.Equal(0, exit);
            var text = await File.ReadAllTextAsync(reportPath);
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, output.ToString(), StringComparison.Ordinal);
            Assert.All(receiver.Requests, r => Assert.Equal(secret, r.Secret));

            var report = await SimulationReport.ReadAsync(reportPath);
            var received = receiver.Requests.Select(r => r.EventId!).Distinct().Order().ToList();
            Assert.Equal(received, report.Events.Select(e => e.EventId).Order());
            Assert.All(report.Events, e => Assert.Equal(DeliveryRecord.Acknowledged, e.FinalStatus));
            Assert.Equal(receiver.Requests.Count, report.Summary.Attempts);
            Assert.Equal(report.Summary.Attempts, report.Events.Sum(e => e.Delivery.Attempts.Count + e.Duplicates.Sum(d => d.Attempts.Count)));
            Assert.Contains(report.Events, e => e.Delivery.Attempts[0].Status == 503 && e.Delivery.Attempts[^1].Status == 200);
        }
        finally
        {
            Environment.SetEnvironmentVariable(secretVariable, null);
            File.Delete(reportPath);
        }
    }

    [Fact]
    public async Task Without_a_secret_nothing_is_sent()
    {
        using var receiver = new ScriptedReceiver((_, _) => Task.FromResult(200));
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(new StringWriter()) });

        var exit = await SimulatorCommands.RunAsync(SimulatorArguments.Parse(
            ["send", "--url", receiver.Url.ToString(), "--secret-env", $"UNSET_{Guid.NewGuid():N}"]), console, CancellationToken.None);

        Assert.Equal(2, exit);
        Assert.Empty(receiver.Requests);
    }
}
