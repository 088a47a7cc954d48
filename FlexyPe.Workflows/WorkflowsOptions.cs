namespace FlexyPe.Workflows;

/// <summary>Everything under <c>Workflows:</c>; the AppHost forwards each setting as an environment variable.</summary>
public sealed class WorkflowsOptions
{
    public const string Section = "Workflows";

    /// <summary>Divides every delay, cap and window: 3600 makes an hour pass in a second (demos and tests).</summary>
    public double TimeScale { get; set; } = 1;

    /// <summary>At most one recovery message (abandoned checkout or session) per shopper within this window; zero turns the cap off.</summary>
    public TimeSpan FrequencyCap { get; set; } = TimeSpan.FromHours(12);

    /// <summary>A purchase counts as recovered by the last message sent within this window before it.</summary>
    public TimeSpan AttributionWindow { get; set; } = TimeSpan.FromDays(5);

    public QuietHoursOptions QuietHours { get; set; } = new();

    public SchedulingOptions Scheduling { get; set; } = new();

    public SeedOptions Seed { get; set; } = new();

    /// <summary>Per-store IANA time zones (<c>Workflows:StoreTimeZones:&lt;store_id&gt;</c>); stores not listed use <see cref="QuietHoursOptions.TimeZone"/>.</summary>
    public Dictionary<string, string> StoreTimeZones { get; set; } = [];
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
    /// <summary>How often the Quartz job looks for due steps.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(250);
    /// <summary>How many due steps one claim takes.</summary>
    public int BatchSize { get; set; } = 200;
    /// <summary>How often the outbox sweep re-delivers message requests the relay left behind.</summary>
    public TimeSpan OutboxSweepInterval { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>Delays of the sequences seeded on first start (comma-separated <see cref="TimeSpan"/>s).</summary>
public sealed class SeedOptions
{
    public string AbandonedCheckoutDelays { get; set; } = "01:00:00,1.00:00:00,3.00:00:00";
    public string AbandonedSessionDelays { get; set; } = "02:00:00,2.00:00:00";
    public string WelcomeDelays { get; set; } = "00:00:00,3.00:00:00";
}
