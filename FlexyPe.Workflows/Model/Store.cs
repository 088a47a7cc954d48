namespace FlexyPe.Workflows.Model;

/// <summary>A store Workflows has had an event from: what the console lists and what settings can be saved for.</summary>
public sealed class Store
{
    public required string StoreId { get; set; }
    /// <summary>The store's name as its events give it (the first one seen that had one).</summary>
    public string? Name { get; set; }
    public DateTimeOffset FirstSeenAt { get; set; }
}
