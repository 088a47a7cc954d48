using System.Globalization;
using System.Text.RegularExpressions;
using Humanizer;

namespace FlexyPe.Console.Sequences;

/// <summary>
/// Delays as a marketer writes them ("1 hour", "3 days", "1 day 12 hours", "90 minutes", "immediately") and shows them
/// (Humanizer), to and from the <see cref="TimeSpan"/> Workflows takes ("1.00:00:00").
/// </summary>
public static partial class Delays
{
    public static readonly TimeSpan Longest = TimeSpan.FromDays(365);
    private static readonly CultureInfo English = CultureInfo.GetCultureInfo("en");

    public static string Format(TimeSpan delay)
        => delay == TimeSpan.Zero
            ? "immediately"
            : delay.Humanize(precision: 4, culture: English, maxUnit: TimeUnit.Day, minUnit: TimeUnit.Second, collectionSeparator: " ");

    /// <summary>The delay <paramref name="text"/> means, or the message to show beside the field.</summary>
    public static bool TryParse(string? text, out TimeSpan delay, out string? error)
    {
        delay = TimeSpan.Zero;
        error = null;
        var input = (text ?? "").Trim().ToLowerInvariant();
        if (input.Length == 0)
        {
            error = "Enter a delay, like \"1 hour\" or \"3 days\".";
            return false;
        }
        if (input is "immediately" or "at once" or "now" or "0" or "none")
        {
            return true;
        }
        // Workflows' own notation, for those who paste it: "1.00:00:00", "00:30:00".
        if (input.Contains(':', StringComparison.Ordinal) && TimeSpan.TryParse(input, CultureInfo.InvariantCulture, out var exact))
        {
            return Check(exact, out delay, out error);
        }

        var rest = Separators().Replace(input, " ").Trim();
        var total = TimeSpan.Zero;
        var matched = 0;
        foreach (Match part in Part().Matches(rest))
        {
            if (!decimal.TryParse(part.Groups["n"].Value, NumberStyles.Number, CultureInfo.InvariantCulture, out var amount))
            {
                break;
            }
            var unit = Unit(part.Groups["u"].Value);
            if (unit is null)
            {
                error = $"\"{part.Groups["u"].Value}\" is not a unit of time; use minutes, hours, days or weeks.";
                return false;
            }
            total += TimeSpan.FromSeconds((double)(amount * (decimal)unit.Value.TotalSeconds));
            matched += part.Length;
            rest = rest.Remove(rest.IndexOf(part.Value, StringComparison.Ordinal), part.Length);
        }
        if (matched == 0 || rest.Trim().Length > 0)
        {
            error = $"\"{text!.Trim()}\" is not a duration; write it like \"1 hour\", \"3 days\" or \"1 day 12 hours\".";
            return false;
        }
        return Check(total, out delay, out error);
    }

    private static bool Check(TimeSpan value, out TimeSpan delay, out string? error)
    {
        delay = value;
        error = value < TimeSpan.Zero ? "A delay cannot be negative."
            : value > Longest ? "A delay can be at most 365 days."
            : null;
        return error is null;
    }

    private static TimeSpan? Unit(string unit) => unit switch
    {
        "s" or "sec" or "secs" or "second" or "seconds" => TimeSpan.FromSeconds(1),
        "m" or "min" or "mins" or "minute" or "minutes" => TimeSpan.FromMinutes(1),
        "h" or "hr" or "hrs" or "hour" or "hours" => TimeSpan.FromHours(1),
        "d" or "day" or "days" => TimeSpan.FromDays(1),
        "w" or "wk" or "wks" or "week" or "weeks" => TimeSpan.FromDays(7),
        _ => null,
    };

    [GeneratedRegex(@"(?<n>\d+(?:\.\d+)?)\s*(?<u>[a-z]+)")]
    private static partial Regex Part();

    [GeneratedRegex(@"\s*(?:,|\band\b|\+)\s*")]
    private static partial Regex Separators();
}
