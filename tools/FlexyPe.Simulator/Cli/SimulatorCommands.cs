using FlexyPe.Simulator.Delivery;
using FlexyPe.Simulator.Generation;
using FlexyPe.Simulator.Reporting;
using Spectre.Console;

namespace FlexyPe.Simulator.Cli;

/// <summary>What each command does, given parsed arguments; Program.cs only parses and handles Ctrl+C.</summary>
public static class SimulatorCommands
{
    public static async Task<int> RunAsync(SimulatorArguments arguments, IAnsiConsole console, CancellationToken cancellationToken)
    {
        var generator = new JourneyGenerator(new GeneratorOptions
        {
            Seed = arguments.Seed,
            Version = arguments.Version,
            RunId = arguments.RunId ?? Guid.NewGuid().ToString("N")[..8],
            Start = DateTimeOffset.UtcNow,
        });

        if (arguments.Command == "payloads")
        {
            var path = arguments.Out ?? throw new ArgumentException("payloads needs --out FILE.");
            var events = generator.Generate(int.MaxValue).SelectMany(j => j.Events).Take(arguments.Count);
            await File.WriteAllTextAsync(path, WrkPayloads.ToLua(events), cancellationToken);
            console.WriteLine($"Wrote {arguments.Count} payloads ({arguments.Version}, seed {arguments.Seed}) to {path}");
            return 0;
        }

        var secret = arguments.Secret ?? Environment.GetEnvironmentVariable(arguments.SecretVariable);
        if (string.IsNullOrEmpty(secret))
        {
            console.MarkupLine($"[red]No webhook secret:[/] set {Markup.Escape(arguments.SecretVariable)} (or pass --secret-env NAME).");
            return 2;
        }

        var load = arguments.Command == "load";
        var options = new DeliveryOptions
        {
            Target = arguments.Url,
            Secret = secret,
            RetryScale = arguments.RetryScale,
            Timeout = TimeSpan.FromSeconds(arguments.TimeoutSeconds),
            DuplicateRate = arguments.DuplicateRate,
            Concurrency = arguments.Concurrency ?? (load ? 64 : 8),
            Retry = !load,
            Seed = arguments.Seed,
        };
        using var http = WebhookSender.CreateClient(options.Concurrency);
        var counters = new DeliveryCounters();
        var sender = new WebhookSender(http, options, counters);
        var startedAt = DateTimeOffset.UtcNow;

        List<EventRecord> records;
        LoadMeasurement? measurement = null;
        if (load)
        {
            var stream = LoadRunner.Stream(generator, options, (long)Math.Ceiling(arguments.Rate * arguments.DurationSeconds));
            var title = $"load: {arguments.Rate}/s for {arguments.DurationSeconds}s to {arguments.Url}";
            (records, measurement) = await LiveProgress.ShowAsync(console, counters, title,
                () => LoadRunner.RunAsync(stream, sender, arguments.Rate, cancellationToken), arguments.Quiet);
        }
        else
        {
            var journeys = generator.Generate(arguments.Journeys).ToList();
            var title = $"{journeys.Count} journeys ({arguments.Version}) to {arguments.Url}";
            records = await LiveProgress.ShowAsync(console, counters, title,
                () => JourneyRunner.RunAsync(journeys, sender, cancellationToken), arguments.Quiet);
        }

        var report = new SimulationReport
        {
            Mode = arguments.Command,
            RunId = generator.RunId,
            Seed = arguments.Seed,
            Target = arguments.Url.ToString(),
            PayloadVersion = arguments.Version,
            RetryScale = options.RetryScale,
            RetryScheduleMs = options.RetrySchedule.Select(d => d.TotalMilliseconds).ToList(),
            TimeoutSeconds = options.Timeout.TotalSeconds,
            DuplicateRate = options.DuplicateRate,
            Concurrency = options.Concurrency,
            StartedAt = startedAt,
            FinishedAt = DateTimeOffset.UtcNow,
            Summary = SimulationReport.Summarize(records),
            Load = measurement,
            Events = records,
        };
        if (arguments.Report is { } reportPath)
        {
            await report.WriteAsync(reportPath, cancellationToken);
        }

        Print(console, report);
        return report.Summary.Failed == 0 && (measurement is null || measurement.NotOk == 0) ? 0 : 1;
    }

    private static void Print(IAnsiConsole console, SimulationReport report)
    {
        var s = report.Summary;
        var table = new Table().Border(TableBorder.Simple).AddColumns("", "");
        table.AddRow("events", s.Events.ToString());
        table.AddRow("acknowledged", s.Acknowledged.ToString());
        table.AddRow("failed (every retry used)", s.Failed.ToString());
        table.AddRow("retried", s.Retried.ToString());
        table.AddRow("HTTP attempts", s.Attempts.ToString());
        table.AddRow("duplicates sent / acknowledged as duplicate", $"{s.DuplicatesSent} / {s.DuplicatesAcknowledgedAsDuplicate}");
        table.AddRow("by kind", string.Join(", ", s.ByKind.Select(k => $"{k.Key} {k.Value}")));
        table.AddRow("by version", string.Join(", ", s.ByVersion.Select(k => $"{k.Key} {k.Value}")));
        if (report.Load is { } load)
        {
            table.AddRow("rate (target / achieved)", $"{load.TargetRate} / {load.AchievedRate} req/s");
            table.AddRow("latency from schedule p50 / p99 / max", $"{load.LatencyFromScheduleMs.P50} / {load.LatencyFromScheduleMs.P99} / {load.LatencyFromScheduleMs.Max} ms");
            table.AddRow("non-200 or no answer", load.NotOk.ToString());
        }
        console.Write(table);
    }
}
