using static FlexyPe.Recovery.StackTests.Workflows.WorkflowsApi;

namespace FlexyPe.Recovery.StackTests.Workflows;

/// <summary>
/// Quiet hours from an hour ago to two hours from now (UTC), so every step that falls due is deferred; one store
/// in UTC+12, where it is not quiet now, and one in UTC+1, where it is quiet for an hour less.
/// </summary>
public sealed class QuietHoursStack : ServingWorkflowsStack
{
    public const string FarEastStore = "far-east.myshopify.com";
    public const string PlusOneStore = "plus-one.myshopify.com";
    private static readonly DateTimeOffset Started = DateTimeOffset.UtcNow;

    /// <summary>When the quiet hours that are on now end.</summary>
    public DateTimeOffset QuietEnd { get; } = Minute(Started.AddHours(2));

    protected override IEnumerable<string> ExtraArguments =>
    [
        $"--Workflows:TimeScale={WorkflowsStack.TimeScale}",
        "--Workflows:QuietHours:Enabled=true",
        "--Workflows:QuietHours:TimeZone=UTC",
        $"--Workflows:QuietHours:Start={Minute(Started.AddHours(-1)):HH\\:mm}",
        $"--Workflows:QuietHours:End={QuietEnd:HH\\:mm}",
        $"--Workflows:StoreTimeZones:{FarEastStore}=Etc/GMT-12",
        $"--Workflows:StoreTimeZones:{PlusOneStore}=Etc/GMT-1",
        "--Workflows:Seed:AbandonedCheckoutDelays=01:00:00,03:00:00,05:00:00",
    ];

    private static DateTimeOffset Minute(DateTimeOffset t) => new(t.Year, t.Month, t.Day, t.Hour, t.Minute, 0, TimeSpan.Zero);
}

[CollectionDefinition(Name)]
public sealed class QuietHoursCollection : ICollectionFixture<QuietHoursStack>
{
    public const string Name = "Workflows with quiet hours";
}

[Collection(QuietHoursCollection.Name)]
public sealed class QuietHoursTests(QuietHoursStack stack) : IDisposable
{
    private readonly WorkflowsApi api = new(stack);

    [Fact]
    public async Task A_step_due_in_quiet_hours_waits_until_they_end()
    {
        var events = new NormalizedEvents();
        await api.PostEventAsync(events.AbandonedCheckout("chk-night", NormalizedEvents.NewEmail()));
        var id = (string)(await api.EnrollmentAsync(events.StoreId, "abandoned-checkout"))["id"]!;

        var timeline = await api.WaitForAsync(id, t => (string?)Steps(t).First()["reason"] == "deferred: quiet hours");

        var first = Steps(timeline).First();
        Assert.Equal("scheduled", State(first));
        Assert.Equal(stack.QuietEnd, (DateTimeOffset)first["due_at"]!);
        Assert.Empty(await api.OutboxAsync($"enrollment:{id}:"));
    }

    [Fact]
    public async Task Quiet_hours_are_read_in_the_stores_time_zone()
    {
        var checkout = "chk-far-east-" + Guid.NewGuid().ToString("N");
        var acr = new NormalizedEvents().AbandonedCheckout(checkout, NormalizedEvents.NewEmail());
        acr["store_id"] = QuietHoursStack.FarEastStore;
        await api.PostEventAsync(acr);
        var enrollment = (await api.EnrollmentsAsync(QuietHoursStack.FarEastStore)).Single(e => (string)e["subject_key"]! == checkout);

        // In UTC+12 it is twelve hours later: outside the quiet hours, so the step goes out on time.
        var timeline = await api.WaitForAsync((string)enrollment["id"]!, t => State(Steps(t).First()) != "scheduled");
        Assert.Equal("sent", State(Steps(timeline).First()));
    }

    [Fact]
    public async Task A_store_east_of_utc_waits_until_its_own_quiet_hours_end()
    {
        var checkout = "chk-plus-one-" + Guid.NewGuid().ToString("N");
        var acr = new NormalizedEvents().AbandonedCheckout(checkout, NormalizedEvents.NewEmail());
        acr["store_id"] = QuietHoursStack.PlusOneStore;
        await api.PostEventAsync(acr);
        var enrollment = (await api.EnrollmentsAsync(QuietHoursStack.PlusOneStore)).Single(e => (string)e["subject_key"]! == checkout);

        var timeline = await api.WaitForAsync((string)enrollment["id"]!, t => (string?)Steps(t).First()["reason"] == "deferred: quiet hours");

        // In UTC+1 the same wall-clock end comes an hour sooner (the default zone, Asia/Kolkata, is east of UTC too).
        var first = Steps(timeline).First();
        Assert.Equal("scheduled", State(first));
        Assert.Equal(stack.QuietEnd.AddHours(-1), (DateTimeOffset)first["due_at"]!);
    }

    public void Dispose() => api.Dispose();
}
