using System.Text.Json;
using Microsoft.Diagnostics.Tracing;

// alloc-profile TRACE.nettrace REQUESTS OUT.json [TOP]
// Sums the GC's allocation ticks (one about every 100 KB allocated, naming the type that crossed the mark) by type:
// an estimate of what a process allocated, by type, over the trace. With the requests served in that time, each
// type's share per request.
if (args.Length < 3)
{
    Console.Error.WriteLine("usage: alloc-profile TRACE.nettrace REQUESTS OUT.json [TOP]");
    return 2;
}
var requests = long.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture);
var top = args.Length > 3 ? int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 25;

var byType = new Dictionary<string, (long Bytes, long Ticks)>();
using (var source = new EventPipeEventSource(args[0]))
{
    source.Clr.GCAllocationTick += tick =>
    {
        var name = string.IsNullOrEmpty(tick.TypeName) ? "(unnamed)" : tick.TypeName;
        var (bytes, ticks) = byType.GetValueOrDefault(name);
        byType[name] = (bytes + tick.AllocationAmount64, ticks + 1);
    };
    source.Process();
}

var total = byType.Values.Sum(v => v.Bytes);
var rows = byType.OrderByDescending(p => p.Value.Bytes).Take(top).Select(p => new
{
    type = p.Key,
    share = Math.Round((double)p.Value.Bytes / Math.Max(1, total), 4),
    bytes_per_request = requests > 0 ? Math.Round((double)p.Value.Bytes / requests) : 0,
    ticks = p.Value.Ticks,
}).ToList();
var report = new
{
    requests,
    allocated_bytes_sampled = total,
    bytes_per_request = requests > 0 ? Math.Round((double)total / requests) : 0,
    types = rows,
};
await File.WriteAllTextAsync(args[2], JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true }));
foreach (var row in rows)
{
    Console.WriteLine($"{row.share,7:P1} {row.bytes_per_request,8} B/req  {row.type}");
}
return 0;
