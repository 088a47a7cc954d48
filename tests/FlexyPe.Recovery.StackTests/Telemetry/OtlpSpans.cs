using ProtoBuf;

namespace FlexyPe.Recovery.StackTests.Telemetry;

/// <summary>A span as exported over OTLP: enough of it to rebuild a trace (ids, parent, name) and say which service sent it.</summary>
public sealed record ExportedSpan(string Service, string Scope, string TraceId, string SpanId, string? ParentSpanId, string Name);

/// <summary>
/// Reads OTLP/HTTP protobuf trace exports (<c>ExportTraceServiceRequest</c> of opentelemetry-proto's trace.proto, only
/// the fields a test looks at; protobuf skips the rest).
/// </summary>
public static class OtlpSpans
{
    public static IEnumerable<ExportedSpan> Read(IEnumerable<byte[]> exports)
    {
        foreach (var export in exports)
        {
            var request = Serializer.Deserialize<ExportTraceServiceRequest>(new MemoryStream(export));
            foreach (var resource in request.ResourceSpans)
            {
                var service = resource.Resource.ServiceName();
                foreach (var scope in resource.ScopeSpans)
                {
                    foreach (var span in scope.Spans)
                    {
                        yield return new ExportedSpan(service, scope.Scope?.Name ?? "", Convert.ToHexStringLower(span.TraceId),
                            Convert.ToHexStringLower(span.SpanId),
                            span.ParentSpanId is { Length: > 0 } parent ? Convert.ToHexStringLower(parent) : null, span.Name);
                    }
                }
            }
        }
    }

    [ProtoContract]
    private sealed class ExportTraceServiceRequest
    {
        [ProtoMember(1)] public List<ResourceSpans> ResourceSpans { get; set; } = [];
    }

    [ProtoContract]
    private sealed class ResourceSpans
    {
        [ProtoMember(1)] public Resource? Resource { get; set; }
        [ProtoMember(2)] public List<ScopeSpans> ScopeSpans { get; set; } = [];
    }

    [ProtoContract]
    private sealed class ScopeSpans
    {
        [ProtoMember(1)] public InstrumentationScope? Scope { get; set; }
        [ProtoMember(2)] public List<Span> Spans { get; set; } = [];
    }

    [ProtoContract]
    private sealed class Span
    {
        [ProtoMember(1)] public byte[] TraceId { get; set; } = [];
        [ProtoMember(2)] public byte[] SpanId { get; set; } = [];
        [ProtoMember(4)] public byte[]? ParentSpanId { get; set; }
        [ProtoMember(5)] public string Name { get; set; } = "";
    }
}
