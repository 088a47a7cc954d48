using FlexyPe.Outbox;

namespace FlexyPe.Recovery.UnitTests.Outbox;

public sealed class OutboxBackoffTests
{
    private static readonly TimeSpan First = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan Ceiling = TimeSpan.FromMinutes(1);

    [Fact]
    public void The_first_failure_waits_the_first_delay()
        => Assert.Equal(First, OutboxBackoff.After(1, First, Ceiling));

    [Theory]
    [InlineData(2, 500)]
    [InlineData(3, 1_000)]
    [InlineData(6, 8_000)]
    [InlineData(8, 32_000)]
    public void Each_further_failure_doubles_the_wait(int failures, int milliseconds)
        => Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), OutboxBackoff.After(failures, First, Ceiling));

    [Theory]
    [InlineData(9)]
    [InlineData(40)]
    [InlineData(int.MaxValue)]
    public void The_wait_never_passes_the_ceiling_however_many_failures(int failures)
        => Assert.Equal(Ceiling, OutboxBackoff.After(failures, First, Ceiling));
}
