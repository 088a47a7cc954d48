using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace FlexyPe.Recovery.StackTests.Deployed;

/// <summary>One generated request and the statuses docs/ingest.md allows for it.</summary>
public sealed record HostileRequest(string Kind, string Path, byte[] Body, IReadOnlyDictionary<string, string> Headers, int[] Allowed)
{
    public string? ContentType { get; init; } = "application/json";
    /// <summary>Sent without a Content-Length (chunked), so the size is only known by reading.</summary>
    public bool Chunked { get; init; }
}

/// <summary>
/// A seeded generator of hostile webhook deliveries: the documented samples truncated, mutated, with every field given
/// every wrong type, nested 100,000 deep, grown huge, with invalid UTF-8, unknown versions and types, odd content
/// types, 10 KB headers, oversized bodies, and wrong or missing secrets. The same seed gives the same requests.
/// </summary>
public sealed class HostileRequests(string secret, int seed)
{
    public const int MaxBodyBytes = 1024 * 1024;

    private readonly Random random = new(seed);
    private readonly List<string> samples = [.. WebhookSamples.List.Select(s => s.Body)];
    private int ids;

    /// <summary>Values of every JSON kind, each wrong somewhere.</summary>
    private static readonly JsonNode?[] WrongValues =
    [
        null, true, false, 0, -1, 1.5, 1e308, -1e-308, JsonNode.Parse("123456789012345678901234567890"), "", " ",
        "x", new string('y', 2000), "\u0000", "\ud83d\ude00 \u202e", "1e999", "NaN", "-0", "2026-13-45T99:99:99Z", "+91 (0) 98765-43210 ext. 5",
        JsonNode.Parse("[]"), JsonNode.Parse("{}"), JsonNode.Parse("[1, \"a\", null, {}]"), JsonNode.Parse("{\"a\": {\"b\": [null]}}"),
    ];

    private static readonly string[] OddContentTypes =
    [
        "text/plain", "application/xml", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded",
        "application/json; charset=latin1", "application/octet-stream", "*/*", "application/json; charset=utf-16",
    ];

    public IEnumerable<HostileRequest> Generate()
    {
        // Every field of every sample, each given every wrong value (the bulk: "wrong types in every field").
        foreach (var request in EveryFieldWrong())
        {
            yield return request;
        }
        for (var i = 0; i < 1500; i++)
        {
            yield return Truncated();
        }
        for (var i = 0; i < 1500; i++)
        {
            yield return Mutated();
        }
        for (var i = 0; i < 300; i++)
        {
            yield return InvalidUtf8();
        }
        for (var i = 0; i < 300; i++)
        {
            yield return UnknownVersionOrType();
        }
        for (var i = 0; i < 300; i++)
        {
            yield return OddContentType();
        }
        for (var i = 0; i < 200; i++)
        {
            yield return BigHeader();
        }
        for (var i = 0; i < 500; i++)
        {
            yield return WrongSecret();
        }
        for (var i = 0; i < 10; i++)
        {
            yield return DeeplyNested(100_000, i % 2 == 0);
        }
        for (var i = 0; i < 10; i++)
        {
            yield return Huge(i % 2 == 0);
        }
        for (var i = 0; i < 20; i++)
        {
            yield return Oversized(chunked: i % 2 == 0);
        }
    }

    private string NewId() => $"hostile-{seed}-{Interlocked.Increment(ref ids)}-{Guid.NewGuid():N}";

    private string Sample(string id) => samples[random.Next(samples.Count)].Replace("{{event_id}}", id, StringComparison.Ordinal);

    private Dictionary<string, string> Headers(string? id, string? version = "2026-05")
    {
        var headers = new Dictionary<string, string> { ["X-Flexype-Authorization"] = secret };
        if (id is not null)
        {
            headers["X-Event-Id"] = id;
        }
        if (version is not null)
        {
            headers["X-Webhook-Version"] = version;
        }
        return headers;
    }

    private IEnumerable<HostileRequest> EveryFieldWrong()
    {
        foreach (var sample in samples)
        {
            var paths = Paths(JsonNode.Parse(sample.Replace("{{event_id}}", "x", StringComparison.Ordinal))!, "").ToList();
            foreach (var path in paths)
            {
                foreach (var value in WrongValues)
                {
                    var id = NewId();
                    var root = JsonNode.Parse(sample.Replace("{{event_id}}", id, StringComparison.Ordinal))!;
                    Replace(root, path, value?.DeepClone());
                    // Valid JSON with an X-Event-Id: stored, whatever the fields say; but a NUL that reaches a text column
                    // (an email, a checkout key) is one Postgres will not store: 400 "unstorable", kept (docs/ingest.md).
                    int[] expected = value is JsonValue v && v.TryGetValue<string>(out var text) && text.Contains('\0', StringComparison.Ordinal) ? [200, 400] : [200];
                    yield return new HostileRequest("wrong-type", "/webhooks/flexype", Encoding.UTF8.GetBytes(root.ToJsonString()), Headers(id), expected);
                }
            }
        }
    }

    private HostileRequest Truncated()
    {
        var id = NewId();
        var body = Encoding.UTF8.GetBytes(Sample(id));
        var cut = body[..random.Next(body.Length)];
        return new HostileRequest("truncated", "/webhooks/flexype", cut, Headers(id), Expect(cut, hasIdHeader: true));
    }

    private HostileRequest Mutated()
    {
        var id = NewId();
        var text = new StringBuilder(Sample(id));
        const string junk = "{}[]\",:\\ntrue0-e.";
        for (var n = random.Next(1, 6); n > 0; n--)
        {
            var at = random.Next(text.Length);
            switch (random.Next(3))
            {
                case 0:
                    text.Remove(at, 1);
                    break;
                case 1:
                    text.Insert(at, junk[random.Next(junk.Length)]);
                    break;
                default:
                    text[at] = junk[random.Next(junk.Length)];
                    break;
            }
        }
        var body = Encoding.UTF8.GetBytes(text.ToString());
        return new HostileRequest("malformed", "/webhooks/flexype", body, Headers(id), Expect(body, hasIdHeader: true));
    }

    private HostileRequest InvalidUtf8()
    {
        var id = NewId();
        var body = Encoding.UTF8.GetBytes(Sample(id)).ToList();
        // Inside the first string value: a lone continuation byte, an overlong '/', a truncated sequence, 0xFF.
        byte[][] invalid = [[0x80], [0xC0, 0xAF], [0xE2, 0x82], [0xFF], [0xED, 0xA0, 0x80]];
        var at = body.IndexOf((byte)'"') + 1;
        body.InsertRange(at, invalid[random.Next(invalid.Length)]);
        return new HostileRequest("invalid-utf8", "/webhooks/flexype", [.. body], Headers(id), [400]);
    }

    private HostileRequest UnknownVersionOrType()
    {
        var id = NewId();
        var root = JsonNode.Parse(Sample(id))!.AsObject();
        root["event_type"] = RandomText(random.Next(1, 40));
        var version = random.Next(3) switch
        {
            0 => "1999-01",
            1 => AsciiText(random.Next(1, 64)),
            _ => "v" + random.Next(),
        };
        string[] kinds = ["acr", "asr", "product-viewed", "collection-viewed", "new-customer", "nope", "%2e%2e", "ACR", new string('k', 300)];
        var kind = kinds[random.Next(kinds.Length)];
        // "%2e%2e" is "..": the path climbs out of the webhook route, to one that does not exist.
        return new HostileRequest("unknown-version-or-type", "/webhooks/flexype/" + kind,
            Encoding.UTF8.GetBytes(root.ToJsonString()), Headers(id, version), kind == "%2e%2e" ? [404] : [200]);
    }

    private HostileRequest OddContentType()
    {
        var id = NewId();
        return new HostileRequest("content-type", "/webhooks/flexype", Encoding.UTF8.GetBytes(Sample(id)), Headers(id), [200])
        {
            ContentType = random.Next(5) == 0 ? null : OddContentTypes[random.Next(OddContentTypes.Length)],
        };
    }

    private HostileRequest BigHeader()
    {
        var id = NewId();
        var headers = Headers(id);
        var big = new string('h', 10 * 1024);
        switch (random.Next(4))
        {
            case 0:
                headers["X-Webhook-Version"] = big;
                return new HostileRequest("10kb-header", "/webhooks/flexype", Encoding.UTF8.GetBytes(Sample(id)), headers, [200]);
            case 1:
                headers["X-Custom-" + random.Next(1000)] = big;
                return new HostileRequest("10kb-header", "/webhooks/flexype", Encoding.UTF8.GetBytes(Sample(id)), headers, [200]);
            case 2:
                // An event id of 10 KB: not an id anyone sends; refused as bad, never a 5xx.
                headers["X-Event-Id"] = id + big;
                return new HostileRequest("10kb-event-id", "/webhooks/flexype", Encoding.UTF8.GetBytes(Sample(id)), headers, [400]);
            default:
                headers["X-Flexype-Authorization"] = big;
                headers["X-Forwarded-For"] = $"203.0.113.{random.Next(1, 255)}";
                return new HostileRequest("10kb-secret", "/webhooks/flexype", Encoding.UTF8.GetBytes(Sample(id)), headers, [401, 429]);
        }
    }

    private HostileRequest WrongSecret()
    {
        var id = NewId();
        var headers = Headers(id);
        switch (random.Next(5))
        {
            case 0:
                headers.Remove("X-Flexype-Authorization");
                break;
            case 1:
                headers["X-Flexype-Authorization"] = "";
                break;
            case 2:
                // One character more (a trailing space would not do: HTTP trims it, and the secret is then right).
                headers["X-Flexype-Authorization"] = secret + "0";
                break;
            case 3:
                headers["X-Flexype-Authorization"] = secret[..^1];
                break;
            default:
                headers["X-Flexype-Authorization"] = AsciiText(random.Next(1, 80));
                break;
        }
        // From many clients, as wrong secrets from the internet would come (the limit is per client).
        headers["X-Forwarded-For"] = $"198.51.{random.Next(256)}.{random.Next(1, 255)}";
        return new HostileRequest("wrong-secret", "/webhooks/flexype", Encoding.UTF8.GetBytes(Sample(id)), headers, [401, 429]);
    }

    private HostileRequest DeeplyNested(int depth, bool arrays)
    {
        var id = NewId();
        var body = new StringBuilder("{\"event_id\":\"").Append(id).Append("\",\"payload\":");
        for (var i = 0; i < depth; i++)
        {
            body.Append(arrays ? "[" : "{\"a\":");
        }
        for (var i = 0; i < depth; i++)
        {
            body.Append(arrays ? "]" : "}");
        }
        body.Append('}');
        return new HostileRequest("nested-100000", "/webhooks/flexype", Encoding.UTF8.GetBytes(body.ToString()), Headers(id), [400]);
    }

    private HostileRequest Huge(bool text)
    {
        var id = NewId();
        var root = JsonNode.Parse(Sample(id))!.AsObject();
        if (text)
        {
            root["note"] = new string('z', 900 * 1024);
        }
        else
        {
            var items = new JsonArray();
            for (var i = 0; i < 60_000; i++)
            {
                items.Add(i % 3 == 0 ? null : (JsonNode)i);
            }
            root["cart_items"] = items;
        }
        var body = Encoding.UTF8.GetBytes(root.ToJsonString());
        return new HostileRequest(text ? "huge-string" : "huge-array", "/webhooks/flexype", body, Headers(id), body.Length > MaxBodyBytes ? [413] : [200]);
    }

    private HostileRequest Oversized(bool chunked)
    {
        var id = NewId();
        var size = MaxBodyBytes + 1 + random.Next(4 * MaxBodyBytes);
        var body = new byte[size];
        var prefix = Encoding.UTF8.GetBytes($"{{\"event_id\":\"{id}\",\"x\":\"");
        prefix.CopyTo(body, 0);
        body.AsSpan(prefix.Length, size - prefix.Length - 2).Fill((byte)'a');
        body[^2] = (byte)'"';
        body[^1] = (byte)'}';
        // 413, or the connection closed on the rest of the body after it (-1).
        return new HostileRequest("oversized", "/webhooks/flexype", body, Headers(id), [413, -1]) { Chunked = chunked };
    }

    /// <summary>What Ingest must answer a body sent with the right secret (and an X-Event-Id header when asked).</summary>
    private static int[] Expect(byte[] body, bool hasIdHeader)
    {
        if (body.Length > MaxBodyBytes)
        {
            return [413];
        }
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return [400];
            }
            // With the header the id is known; without it, it depends on what the body still says.
            return hasIdHeader ? [200] : [200, 400];
        }
        catch (JsonException)
        {
            return [400];
        }
    }

    private string RandomText(int length)
    {
        const string alphabet = "abcXYZ019 _-./:;\"'<>{}[]\\|%&$#@!?`~^*()+=\u00e9\u4e2d\ud83d\ude00";
        var text = new StringBuilder(length);
        while (text.Length < length)
        {
            text.Append(alphabet[random.Next(alphabet.Length)]);
        }
        return text.ToString();
    }

    /// <summary>Printable ASCII: what a header can carry at all (HTTP clients refuse anything else).</summary>
    private string AsciiText(int length)
        => new([.. Enumerable.Range(0, length).Select(_ => (char)random.Next(0x21, 0x7F))]);

    /// <summary>Every path in the document (a.b.0.c), containers and leaves.</summary>
    private static IEnumerable<string> Paths(JsonNode node, string prefix)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (name, child) in o)
                {
                    var path = prefix.Length == 0 ? name : $"{prefix}.{name}";
                    yield return path;
                    if (child is not null)
                    {
                        foreach (var inner in Paths(child, path))
                        {
                            yield return inner;
                        }
                    }
                }
                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                {
                    var path = $"{prefix}.{i}";
                    yield return path;
                    if (a[i] is { } child)
                    {
                        foreach (var inner in Paths(child, path))
                        {
                            yield return inner;
                        }
                    }
                }
                break;
        }
    }

    private static void Replace(JsonNode root, string path, JsonNode? value)
    {
        var parts = path.Split('.');
        var parent = root;
        foreach (var part in parts[..^1])
        {
            parent = parent is JsonArray array ? array[int.Parse(part)]! : parent[part]!;
        }
        if (parent is JsonArray list)
        {
            list[int.Parse(parts[^1])] = value;
        }
        else
        {
            parent[parts[^1]] = value;
        }
    }
}
