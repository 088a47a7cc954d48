using FlexyPe.Outbox;
using Microsoft.Extensions.Time.Testing;

namespace FlexyPe.Recovery.UnitTests.Outbox;

public sealed class WakeUpTests
{
    [Fact]
    public async Task A_wait_times_out_when_no_one_wakes_it()
    {
        var time = new FakeTimeProvider();
        var wakeUp = new WakeUp("outbox_messages");

        var waiting = wakeUp.WaitAsync(TimeSpan.FromSeconds(5), time, CancellationToken.None);
        Assert.False(waiting.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(5));

        Assert.False(await waiting);
    }

    [Fact]
    public async Task A_timeout_already_firing_when_a_wake_up_ends_the_wait_does_nothing()
    {
        // A real timer's Dispose does not stop a callback already dispatched to the pool: this provider keeps every
        // callback so the test can run it after the wait has ended and disposed what it made, as that callback would.
        // Before the fix the callback called Cancel on a disposed source, and the exception ended the process (CI).
        var time = new KeptCallbacks();
        var wakeUp = new WakeUp("outbox_messages");

        var waiting = wakeUp.WaitAsync(TimeSpan.FromSeconds(5), time, CancellationToken.None);
        wakeUp.Notify();
        Assert.True(await waiting);

        Assert.NotEmpty(time.Callbacks);
        foreach (var (callback, state) in time.Callbacks)
        {
            callback(state);
        }
        // The next wait is not disturbed by the late callback.
        wakeUp.Notify();
        Assert.True(await wakeUp.WaitAsync(TimeSpan.FromSeconds(5), time, CancellationToken.None));
    }

    private sealed class KeptCallbacks : TimeProvider
    {
        public List<(TimerCallback Callback, object? State)> Callbacks { get; } = [];

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            Callbacks.Add((callback, state));
            return new NeverFires();
        }

        private sealed class NeverFires : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => true;
            public void Dispose() { }
            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }
}
