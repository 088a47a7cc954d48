namespace FlexyPe.Recovery.Testing;

/// <summary>
/// The one way the tests wait for an asynchronous outcome: poll, up to a bound. The bound is a safety net, not
/// something asserted; giving up fails the test with what was awaited and the last value seen.
/// </summary>
public static class Eventually
{
    private static readonly TimeSpan DefaultBound = TimeSpan.FromSeconds(60);

    /// <summary>The first value <paramref name="read"/> returns that meets <paramref name="condition"/>.</summary>
    public static async Task<T> MatchesAsync<T>(Func<Task<T>> read, Func<T, bool> condition, string what, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? DefaultBound);
        while (true)
        {
            var value = await read();
            if (condition(value))
            {
                return value;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Gave up waiting for {what}; last seen: {Describe(value)}.");
            }
            await Task.Delay(200);
        }
    }

    private static string Describe<T>(T value)
    {
        try
        {
            return System.Text.Json.JsonSerializer.Serialize(value);
        }
        catch (Exception e) when (e is NotSupportedException or InvalidOperationException)
        {
            return value?.ToString() ?? "null";
        }
    }

    /// <summary>The first non-null value <paramref name="probe"/> returns.</summary>
    public static async Task<T> GetAsync<T>(Func<Task<T?>> probe, string what, TimeSpan? within = null)
        => (await MatchesAsync(probe, value => value is not null, what, within))!;

    public static Task TrueAsync(Func<Task<bool>> probe, string what, TimeSpan? within = null)
        => MatchesAsync(probe, holds => holds, what, within);
}
