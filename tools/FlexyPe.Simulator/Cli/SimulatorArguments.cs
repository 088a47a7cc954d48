using System.Globalization;
using FlexyPe.Simulator.Generation;

namespace FlexyPe.Simulator.Cli;

/// <summary>The command line: a command (<c>send</c>, <c>load</c>, <c>payloads</c>) and <c>--name value</c> options.</summary>
public sealed record SimulatorArguments
{
    public const string DefaultUrl = "http://127.0.0.1:5100/webhooks/flexype";
    public const string DefaultSecretVariable = "FLEXYPE_WEBHOOK_SECRET";

    public string Command { get; init; } = "send";
    public Uri Url { get; init; } = new(DefaultUrl);
    public string SecretVariable { get; init; } = DefaultSecretVariable;
    public string? Secret { get; init; }
    public string Version { get; init; } = PayloadVersions.Mixed;
    public int Journeys { get; init; } = 10;
    public int Seed { get; init; } = 1;
    public string? RunId { get; init; }
    public double DuplicateRate { get; init; }
    public double RetryScale { get; init; } = 1.0;
    public double TimeoutSeconds { get; init; } = 10;
    public int? Concurrency { get; init; }
    public double Rate { get; init; } = 100;
    public double DurationSeconds { get; init; } = 10;
    public int Count { get; init; } = 500;
    public string? Report { get; init; }
    public string? Out { get; init; }
    public bool Quiet { get; init; }
    public bool Help { get; init; }

    public const string Usage = """
        flexype-simulator: sends FlexyPe webhooks the way FlexyPe does.

          flexype-simulator send     [options]   shopper journeys, delivered with FlexyPe's headers, retries and duplicates
          flexype-simulator load     [options]   a stream of deliveries at a fixed rate for a fixed time (latency, acks)
          flexype-simulator payloads --out FILE  the same payload mix as a Lua table, for wrk (bench/)

        options
          --url URL              webhook URL (default http://127.0.0.1:5100/webhooks/flexype)
          --secret-env NAME      environment variable holding the webhook secret (default FLEXYPE_WEBHOOK_SECRET)
          --secret VALUE         the secret itself (visible to other users in the process list: prefer --secret-env)
          --version V            2026-05 | 2025-09 | legacy | mixed (default mixed)
          --journeys N           journeys to send (send; default 10)
          --seed N               random seed: the same seed and run id make the same journeys (default 1)
          --run-id ID            part of every event id (default: random, so runs do not collide)
          --duplicate-rate R     share of acknowledged events delivered again with the same X-Event-Id (default 0)
          --retry-scale S        multiplies the 1, 5, 15 minute retry schedule (0.001 = 60, 300, 900 ms; default 1)
          --timeout SECONDS      an attempt not answered within this fails and is retried (default 10, as FlexyPe)
          --concurrency N        journeys (send; default 8) or requests (load; default 64) in flight
          --rate R               requests per second (load; default 100)
          --duration SECONDS     how long to send (load; default 10)
          --count N              payloads to write (payloads; default 500)
          --report FILE          write every event id sent with its attempts and final status as JSON
          --quiet                no live progress
        """;

    public static SimulatorArguments Parse(IReadOnlyList<string> args)
    {
        var result = new SimulatorArguments();
        var i = 0;
        if (args.Count > 0 && !args[0].StartsWith('-'))
        {
            result = result with { Command = args[0] };
            i = 1;
        }
        if (result.Command is not ("send" or "load" or "payloads"))
        {
            throw new ArgumentException($"Unknown command '{result.Command}'.");
        }

        for (; i < args.Count; i++)
        {
            var name = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{name} needs a value.");
            result = name switch
            {
                "--url" => result with { Url = new Uri(Value()) },
                "--secret-env" => result with { SecretVariable = Value() },
                "--secret" => result with { Secret = Value() },
                "--version" => result with { Version = Checked(Value(), PayloadVersions.IsValidChoice, "--version must be 2026-05, 2025-09, legacy or mixed") },
                "--journeys" => result with { Journeys = Int(Value(), name) },
                "--seed" => result with { Seed = Int(Value(), name) },
                "--run-id" => result with { RunId = Value() },
                "--duplicate-rate" => result with { DuplicateRate = Fraction(Value(), name) },
                "--retry-scale" => result with { RetryScale = Positive(Value(), name) },
                "--timeout" => result with { TimeoutSeconds = Positive(Value(), name) },
                "--concurrency" => result with { Concurrency = Int(Value(), name) },
                "--rate" => result with { Rate = Positive(Value(), name) },
                "--duration" => result with { DurationSeconds = Positive(Value(), name) },
                "--count" => result with { Count = Int(Value(), name) },
                "--report" => result with { Report = Value() },
                "--out" => result with { Out = Value() },
                "--quiet" => result with { Quiet = true },
                "--help" or "-h" => result with { Help = true },
                _ => throw new ArgumentException($"Unknown option '{name}'."),
            };
        }
        return result;
    }

    private static string Checked(string value, Func<string, bool> valid, string message) =>
        valid(value) ? value : throw new ArgumentException(message);

    private static int Int(string value, string name) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= 0 ? n : throw new ArgumentException($"{name} must be a whole number.");

    private static double Positive(string value, string name) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d > 0 ? d : throw new ArgumentException($"{name} must be a positive number.");

    private static double Fraction(string value, string name) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d is >= 0 and <= 1 ? d : throw new ArgumentException($"{name} must be between 0 and 1.");
}
