using System.ComponentModel.DataAnnotations;
using FlexyPe.Workflows.Uplift;
using Microsoft.Extensions.Options;

namespace FlexyPe.Workflows;

/// <summary>Checks the <see cref="WorkflowsOptions"/> attributes at start-up (source-generated).</summary>
[OptionsValidator]
public sealed partial class WorkflowsOptionsValidator : IValidateOptions<WorkflowsOptions>;

/// <summary>Everything under <c>Workflows:</c>; the AppHost forwards each setting as an environment variable.</summary>
public sealed class WorkflowsOptions
{
    public const string Section = "Workflows";

    /// <summary>Divides every delay, cap and window: 3600 makes an hour pass in a second (demos and tests).</summary>
    [Range(0.000001, double.MaxValue)]
    public double TimeScale { get; set; } = 1;

    /// <summary>At most one recovery message (abandoned checkout or session) per shopper within this window; zero turns the cap off.</summary>
    public TimeSpan FrequencyCap { get; set; } = TimeSpan.FromHours(12);

    /// <summary>A purchase counts as recovered by the last message sent within this window before it.</summary>
    public TimeSpan AttributionWindow { get; set; } = TimeSpan.FromDays(5);

    public QuietHoursOptions QuietHours { get; set; } = new();

    [ValidateObjectMembers]
    public SchedulingOptions Scheduling { get; set; } = new();

    public SeedOptions Seed { get; set; } = new();

    /// <summary>What a store that has not set its own settings uses (the console's Settings page overrides them per store).</summary>
    public StoreDefaultsOptions StoreDefaults { get; set; } = new();

    /// <summary>The holdout, the discount exploration and the uplift model (docs/uplift.md).</summary>
    [ValidateObjectMembers]
    public UpliftOptions Uplift { get; set; } = new();

    /// <summary>Per-store IANA time zones (<c>Workflows:StoreTimeZones:&lt;store_id&gt;</c>); stores not listed use <see cref="QuietHoursOptions.TimeZone"/>.</summary>
    public Dictionary<string, string> StoreTimeZones { get; set; } = [];

    /// <summary>A misspelt zone would silently become UTC; refusing to start says so at once.</summary>
    public static bool HasKnownTimeZones(WorkflowsOptions options)
        => options.StoreTimeZones.Values.Append(options.QuietHours.TimeZone).All(zone => TimeZoneInfo.TryFindSystemTimeZoneById(zone, out _));
}

public sealed class QuietHoursOptions
{
    public bool Enabled { get; set; } = true;
    public TimeOnly Start { get; set; } = new(21, 0);
    public TimeOnly End { get; set; } = new(9, 0);
    /// <summary>IANA time zone of stores without their own entry; FlexyPe's stores are mostly Indian.</summary>
    public string TimeZone { get; set; } = "Asia/Kolkata";
}

public sealed class SchedulingOptions
{
    /// <summary>
    /// The pause after a round that fired steps, so steps falling due meanwhile fire together in one batch (a batch
    /// costs the same few statements however many steps it holds); also how soon to look again at due steps another
    /// node holds.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(250);
    /// <summary>How many due steps one claim takes.</summary>
    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 200;
    /// <summary>The longest the due-step poller sleeps without a wake-up, should one be lost.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan MaxSleep { get; set; } = TimeSpan.FromSeconds(30);
}

public sealed class StoreDefaultsOptions
{
    /// <summary>The sender's display name; null: the store's own name from its events.</summary>
    public string? SenderName { get; set; }
    /// <summary>The sender's address; null: Notifier's configured sender (<c>Notifier:DefaultFrom</c>).</summary>
    public string? SenderAddress { get; set; }
    public string? ReplyTo { get; set; }
    public string? LogoUrl { get; set; }
    public string BrandColour { get; set; } = "#1f6f5c";
    /// <summary>FlexyPe's stores are mostly Indian: rupees, formatted the Indian way (₹2,198.00).</summary>
    public string Currency { get; set; } = "INR";
    public string Locale { get; set; } = "en-IN";
    public string? AddressLine { get; set; }
    public bool ClickTracking { get; set; } = true;
    /// <summary>The language the copy assistant writes in; null: the English name of <see cref="Locale"/> ("English (India)").</summary>
    public string? Language { get; set; }
    /// <summary>Notes on the brand voice for the copy assistant.</summary>
    public string? BrandVoice { get; set; }
    /// <summary>Phrases generated copy must never use.</summary>
    public List<string> BannedPhrases { get; set; } = [];
}

/// <summary>Delays of the sequences seeded on first start (comma-separated <see cref="TimeSpan"/>s).</summary>
public sealed class SeedOptions
{
    public string AbandonedCheckoutDelays { get; set; } = "01:00:00,1.00:00:00,3.00:00:00";
    public string AbandonedSessionDelays { get; set; } = "02:00:00,2.00:00:00";
    public string WelcomeDelays { get; set; } = "00:00:00,3.00:00:00";
}
