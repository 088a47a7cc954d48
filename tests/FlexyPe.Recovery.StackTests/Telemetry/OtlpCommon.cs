using ProtoBuf;

namespace FlexyPe.Recovery.StackTests.Telemetry;

// The messages of opentelemetry-proto's common.proto and resource.proto that trace and metric exports share (only the
// fields a test looks at; protobuf skips the rest).

[ProtoContract]
internal sealed class Resource
{
    [ProtoMember(1)] public List<KeyValue> Attributes { get; set; } = [];
}

[ProtoContract]
internal sealed class KeyValue
{
    [ProtoMember(1)] public string Key { get; set; } = "";
    [ProtoMember(2)] public AnyValue? Value { get; set; }
}

[ProtoContract]
internal sealed class AnyValue
{
    [ProtoMember(1)] public string? StringValue { get; set; }
}

[ProtoContract]
internal sealed class InstrumentationScope
{
    [ProtoMember(1)] public string Name { get; set; } = "";
}

internal static class ResourceNames
{
    /// <summary>The exporting service's <c>service.name</c> ("" when it has none).</summary>
    public static string ServiceName(this Resource? resource)
        => resource?.Attributes.FirstOrDefault(a => a.Key == "service.name")?.Value?.StringValue ?? "";
}
