using System.Text.Json;
using Microsoft.Diagnostics.Tracing.Etlx;
using Microsoft.Diagnostics.Tracing.EventPipe;

// cpu-profile TRACE.nettrace OUT.json [TOP]
// Where a process's CPU went, from dotnet-trace's dotnet-sampled-thread-time profile (every thread's stack about every
// 10 ms). Only samples of a thread running managed code count (a thread waiting, or in native code, is sampled as
// "external" and left out), so the shares are of the managed CPU time. Each method's share is inclusive (samples with it
// anywhere on the stack) and exclusive (samples with it on top); each assembly's is exclusive.
if (args.Length < 2)
{
    Console.Error.WriteLine("usage: cpu-profile TRACE.nettrace OUT.json [TOP]");
    return 2;
}
var top = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 40;

var inclusive = new Dictionary<string, long>();
var exclusive = new Dictionary<string, long>();
var byModule = new Dictionary<string, long>();
long samples = 0, external = 0;
using (var log = TraceLog.OpenOrConvert(TraceLog.CreateFromEventPipeDataFile(args[0])))
{
    foreach (var traceEvent in log.Events)
    {
        if (traceEvent is not ClrThreadSampleTraceData sample)
        {
            continue;
        }
        if (sample.Type != ClrThreadSampleType.Managed)
        {
            external++;
            continue;
        }
        samples++;
        var seen = new HashSet<string>();
        var first = true;
        for (var frame = sample.CallStack(); frame is not null; frame = frame.Caller)
        {
            var method = frame.CodeAddress.FullMethodName;
            if (string.IsNullOrEmpty(method))
            {
                method = $"?!{frame.CodeAddress.ModuleName}";
            }
            if (first)
            {
                exclusive[method] = exclusive.GetValueOrDefault(method) + 1;
                var module = string.IsNullOrEmpty(frame.CodeAddress.ModuleName) ? "(unknown)" : frame.CodeAddress.ModuleName;
                byModule[module] = byModule.GetValueOrDefault(module) + 1;
                first = false;
            }
            if (seen.Add(method))
            {
                inclusive[method] = inclusive.GetValueOrDefault(method) + 1;
            }
        }
    }
}

double Share(long count) => Math.Round((double)count / Math.Max(1, samples), 4);
object Rows(Dictionary<string, long> counts) =>
    counts.OrderByDescending(p => p.Value).Take(top).Select(p => new { name = p.Key, share = Share(p.Value), samples = p.Value }).ToList();
var report = new
{
    managed_samples = samples,
    external_samples = external,
    modules_exclusive = Rows(byModule),
    methods_inclusive = Rows(inclusive),
    methods_exclusive = Rows(exclusive),
};
await File.WriteAllTextAsync(args[1], JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true }));
Console.WriteLine($"{samples} managed samples ({external} external)");
foreach (var (title, counts) in new[] { ("assemblies, exclusive", byModule), ("methods, inclusive", inclusive), ("methods, exclusive", exclusive) })
{
    Console.WriteLine($"-- {title}");
    foreach (var p in counts.OrderByDescending(p => p.Value).Take(top))
    {
        Console.WriteLine($"{Share(p.Value),7:P1}  {p.Key}");
    }
}
return 0;
