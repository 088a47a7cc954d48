using System.Text.Json;
using FlexyPe.Chaos.Faults;
using FlexyPe.Chaos.Stack;

// flexype-chaos run [--replicas 1,2] [--out FILE] [--stream-seconds S] [--rate R] [--kill-after S] [--down-for S]: the
// long-form fault suite (bench/chaos.sh).
// flexype-chaos smtp-sink --port P --journal FILE [--bounce-rate R]: the stack's SMTP server (started by the suite).
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
string Option(string name, string fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}
var invariant = System.Globalization.CultureInfo.InvariantCulture;

switch (args.FirstOrDefault())
{
    case "smtp-sink":
        return await JournalSmtpServer.RunAsync(int.Parse(Option("--port", "2525"), invariant), Option("--journal", "journal.jsonl"),
            double.Parse(Option("--bounce-rate", "0"), invariant), stop.Token);
    case "run":
        var scenario = new ScenarioOptions
        {
            StreamFor = TimeSpan.FromSeconds(double.Parse(Option("--stream-seconds", "30"), invariant)),
            JourneysPerSecond = double.Parse(Option("--rate", "3"), invariant),
            KillAfter = TimeSpan.FromSeconds(double.Parse(Option("--kill-after", "8"), invariant)),
            DownFor = TimeSpan.FromSeconds(double.Parse(Option("--down-for", "6"), invariant)),
        };
        var directory = Option("--dir", Path.Combine(Path.GetTempPath(), $"flexype-chaos-{Guid.NewGuid():N}"));
        var runs = new List<ChaosReport>();
        // One stack per replica count: "1,2" runs every fault on one process of each service, then on two.
        foreach (var replicas in Option("--replicas", "1,2").Split(',').Select(r => int.Parse(r, invariant)))
        {
            runs.Add(await ChaosSuite.RunAsync(new ChaosSuiteOptions
            {
                Directory = Path.Combine(directory, $"replicas-{replicas}"),
                Replicas = replicas,
                Configuration = Option("--configuration", "Release"),
                Scenario = scenario,
            }, Console.WriteLine, stop.Token));
        }
        var output = Option("--out", Path.Combine(DeployedStack.RepositoryRoot, "bench", "results", "chaos-latest.json"));
        var held = runs.All(r => r.Held);
        await File.WriteAllTextAsync(output, JsonSerializer.Serialize(new { held, runs }, ChaosReport.Json) + "\n");
        Console.WriteLine($"wrote {output}; every promise held: {held}");
        return held ? 0 : 1;
    default:
        Console.Error.WriteLine("usage: flexype-chaos run [--replicas N] [--out FILE] | smtp-sink --port P --journal FILE");
        return 2;
}
