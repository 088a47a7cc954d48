using FlexyPe.Recovery.StackTests.Notifier;
using ProtoBuf;

namespace FlexyPe.Recovery.StackTests.Telemetry;

/// <summary>
/// Reads OTLP/HTTP protobuf metric exports (<c>ExportMetricsServiceRequest</c> of opentelemetry-proto's metrics.proto,
/// only the fields a test looks at) for the value of a counter.
/// </summary>
public static class OtlpMetrics
{
    /// <summary>
    /// A counter's total as <paramref name="service"/> last exported it: the sum of its data points (one per set of
    /// attributes; .NET exports counters cumulatively, each point the total since start). Null if it never exported it.
    /// </summary>
    public static long? LatestTotal(IEnumerable<byte[]> exports, string service, string counter)
    {
        var name = System.Text.Encoding.UTF8.GetBytes(counter);
        foreach (var export in exports.Reverse().Where(e => OtlpReceiver.IndexOf(e, name, 0) >= 0))
        {
            var request = Serializer.Deserialize<ExportMetricsServiceRequest>(new MemoryStream(export));
            var points = request.ResourceMetrics
                .Where(r => r.Resource.ServiceName() == service)
                .SelectMany(r => r.ScopeMetrics).SelectMany(s => s.Metrics)
                .Where(m => m.Name == counter && m.Sum is not null)
                .SelectMany(m => m.Sum!.DataPoints)
                .ToList();
            if (points.Count > 0)
            {
                return points.Sum(p => p.AsInt);
            }
        }
        return null;
    }

    [ProtoContract]
    private sealed class ExportMetricsServiceRequest
    {
        [ProtoMember(1)] public List<ResourceMetrics> ResourceMetrics { get; set; } = [];
    }

    [ProtoContract]
    private sealed class ResourceMetrics
    {
        [ProtoMember(1)] public Resource? Resource { get; set; }
        [ProtoMember(2)] public List<ScopeMetrics> ScopeMetrics { get; set; } = [];
    }

    [ProtoContract]
    private sealed class ScopeMetrics
    {
        [ProtoMember(1)] public InstrumentationScope? Scope { get; set; }
        [ProtoMember(2)] public List<Metric> Metrics { get; set; } = [];
    }

    [ProtoContract]
    private sealed class Metric
    {
        [ProtoMember(1)] public string Name { get; set; } = "";
        [ProtoMember(7)] public Sum? Sum { get; set; }
    }

    [ProtoContract]
    private sealed class Sum
    {
        [ProtoMember(1)] public List<NumberDataPoint> DataPoints { get; set; } = [];
    }

    [ProtoContract]
    private sealed class NumberDataPoint
    {
        [ProtoMember(6, DataFormat = DataFormat.FixedSize)] public long AsInt { get; set; }
    }
}
