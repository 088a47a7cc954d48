using System.Globalization;

namespace FlexyPe.Console.Components.Shared;

/// <summary>How the console writes times, money and counts: one way on every page.</summary>
public static class Format
{
    private static readonly CultureInfo Display = CultureInfo.GetCultureInfo("en-IN");

    /// <summary>A time in UTC, to the minute ("29 Nov 2026, 16:05 UTC").</summary>
    public static string When(DateTimeOffset? at)
        => at is { } value ? value.ToUniversalTime().ToString("d MMM yyyy, HH:mm 'UTC'", CultureInfo.InvariantCulture) : "—";

    public static string Money(decimal amount) => amount.ToString("#,##0.##", Display);

    public static string Count(long count) => count.ToString("#,##0", Display);

    public static string Percent(double? ratio) => ratio is { } r && !double.IsNaN(r) ? r.ToString("0.0%", CultureInfo.InvariantCulture) : "—";
}
