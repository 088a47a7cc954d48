using FlexyPe.Workflows;
using FlexyPe.Workflows.Scheduling;
using FlexyPe.Workflows.Model;
using FlexyPe.Workflows.Stores;
using FlexyPe.Workflows.Templates;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace FlexyPe.Recovery.UnitTests.Workflows;

/// <summary>The time rules on their own, with a clock the test sets (the stack tests run them against real time).</summary>
public sealed class RuleTests
{
    /// <summary>Quiet hours of stores with no saved settings, under the configuration <paramref name="change"/> makes.</summary>
    private static Func<DateTimeOffset, string, DateTimeOffset> Quiet(Action<WorkflowsOptions>? change = null, StoreSettings? saved = null)
    {
        var options = new WorkflowsOptions();
        change?.Invoke(options);
        return (instant, store) => QuietHours.NextAllowed(instant, StoreSettingsCatalog.Effective(store, saved, null, options));
    }

    private static DateTimeOffset Ist(int day, int hour, int minute = 0) => new(2026, 5, day, hour, minute, 0, TimeSpan.FromHours(5.5));

    [Fact]
    public void A_step_due_late_in_the_evening_waits_until_nine_the_next_morning_in_the_store_zone()
        => Assert.Equal(Ist(8, 9), Quiet()(Ist(7, 22, 30), "s"));

    [Fact]
    public void A_step_due_before_dawn_waits_until_nine_the_same_morning()
        => Assert.Equal(Ist(8, 9), Quiet()(Ist(8, 3), "s"));

    [Fact]
    public void A_step_due_in_the_day_goes_at_once()
        => Assert.Equal(Ist(8, 12), Quiet()(Ist(8, 12), "s"));

    [Fact]
    public void Quiet_hours_end_exactly_at_their_end_and_start_exactly_at_their_start()
    {
        Assert.Equal(Ist(8, 9), Quiet()(Ist(8, 9), "s"));
        Assert.Equal(Ist(9, 9), Quiet()(Ist(8, 21), "s"));
    }

    [Fact]
    public void Disabled_quiet_hours_never_defer()
        => Assert.Equal(Ist(7, 23), Quiet(o => o.QuietHours.Enabled = false)(Ist(7, 23), "s"));

    [Fact]
    public void A_stores_own_time_zone_decides()
    {
        // 23:00 in Kolkata is 17:30 UTC: quiet for an Indian store, not for a store in UTC.
        var quiet = Quiet(o => o.StoreTimeZones["utc-store"] = "UTC");
        Assert.Equal(Ist(7, 23), quiet(Ist(7, 23), "utc-store"));
        Assert.Equal(Ist(8, 9), quiet(Ist(7, 23), "indian-store"));
    }

    [Fact]
    public void A_stores_saved_quiet_hours_and_zone_replace_the_configured_ones()
    {
        var saved = new StoreSettings { StoreId = "s", TimeZone = "UTC", QuietHoursStart = new TimeOnly(1, 0), QuietHoursEnd = new TimeOnly(6, 0) };
        // 23:00 in Kolkata (17:30 UTC) is outside the store's own 01:00-06:00 UTC; 02:00 UTC is inside and waits until 06:00 UTC.
        Assert.Equal(Ist(7, 23), Quiet(saved: saved)(Ist(7, 23), "s"));
        var twoUtc = new DateTimeOffset(2026, 5, 8, 2, 0, 0, TimeSpan.Zero);
        Assert.Equal(new DateTimeOffset(2026, 5, 8, 6, 0, 0, TimeSpan.Zero), Quiet(saved: saved)(twoUtc, "s"));
    }

    [Fact]
    public void Due_times_divide_delays_by_the_time_scale_and_chain_from_the_previous_step()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 5, 7, 10, 0, 0, TimeSpan.Zero));
        var clock = new WorkflowClock(time, Options.Create(new WorkflowsOptions { TimeScale = 3600 }));
        SequenceStep[] steps =
        [
            new() { Number = 1, Delay = TimeSpan.FromHours(1), Subject = "s", Template = "t" },
            new() { Number = 2, Delay = TimeSpan.FromHours(24), Subject = "s", Template = "t" },
            new() { Number = 3, Delay = TimeSpan.FromHours(2), DelayFrom = DelayFrom.PreviousStep, Subject = "s", Template = "t" },
        ];

        var due = clock.DueTimes(steps, clock.Now);

        Assert.Equal([time.GetUtcNow().AddSeconds(1), time.GetUtcNow().AddSeconds(24), time.GetUtcNow().AddSeconds(26)], due.Select(d => d.DueAt));
        time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(new DateTimeOffset(2026, 5, 7, 10, 5, 0, TimeSpan.Zero), clock.Now);
    }

    [Fact]
    public async Task Templates_escape_html_in_values_and_report_where_they_do_not_parse()
    {
        var templates = new LiquidTemplates();
        var model = new Dictionary<string, object?> { ["customer"] = new Dictionary<string, object?> { ["first_name"] = "<script>" } };

        Assert.Equal("<p>&lt;script&gt;</p>", await templates.RenderAsync("<p>{{ customer.first_name }}</p>", model, html: true));
        Assert.Equal("Hi <script>", await templates.RenderAsync("Hi {{ customer.first_name }}", model, html: false));
        var error = templates.Validate("line one\nline two {{ customer.first_name ");
        Assert.NotNull(error);
        Assert.Equal(2, error.Line);
    }
}
