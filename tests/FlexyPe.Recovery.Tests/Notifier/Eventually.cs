namespace FlexyPe.Recovery.Tests.Notifier;

/// <summary>Polls for an asynchronous outcome, up to a bound; the bound is a safety net, not something asserted.</summary>
internal static class Eventually
{
    public static async Task<T> GetAsync<T>(Func<Task<T?>> probe, string what, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            var value = await probe();
            if (value is not null)
            {
                return value;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Gave up waiting for {what}.");
            }
            await Task.Delay(200);
        }
    }

    public static Task TrueAsync(Func<Task<bool>> probe, string what, TimeSpan? within = null)
        => GetAsync<object>(async () => await probe() ? new object() : null, what, within);
}
