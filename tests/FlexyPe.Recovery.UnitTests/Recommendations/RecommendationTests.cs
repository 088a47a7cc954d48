using System.Numerics.Tensors;
using FlexyPe.Workflows.Recommendations;
using FlexyPe.Workflows.Templates;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Memory;
using Xunit.Abstractions;

namespace FlexyPe.Recovery.UnitTests.Recommendations;

/// <summary>The real all-MiniLM-L6-v2 (shipped in its package, run offline) ranking products, and what the recommender leaves out.</summary>
public sealed class RecommendationTests(MiniLmFixture model, ITestOutputHelper output) : IClassFixture<MiniLmFixture>
{
    private static CatalogProduct Product(string id, string title, string? variant = null, string? collection = null, bool image = true, bool link = true)
        => new(id, id + "-v", title, variant, collection, image ? $"https://cdn.example.com/{id}.jpg" : null, link ? $"https://store.example/products/{id}" : null);

    private static readonly CatalogProduct[] Catalogue =
    [
        Product("trail", "Trail running shoes", "Size 9 / Blue", "Running"),
        Product("road", "Road running sneakers", "Size 9 / White", "Running"),
        Product("socks", "Cushioned running socks", "Pack of 3", "Running"),
        Product("vest", "Hydration vest for trail runs", "M", "Running"),
        Product("mug", "Ceramic coffee mug", "350 ml", "Kitchen"),
        Product("grinder", "Burr coffee grinder", null, "Kitchen"),
        Product("beans", "Single-origin coffee beans", "250 g", "Coffee"),
        Product("kettle", "Gooseneck pour-over kettle", null, "Kitchen"),
    ];

    private ProductRecommendations Recommender(IEmbeddingGenerator<string, Embedding<float>>? generator = null)
        => new(new ProductEmbeddings(generator ?? model.Generator, new MemoryCache(new MemoryCacheOptions { SizeLimit = 1_000 })));

    [Fact]
    public async Task Trail_running_shoes_are_nearer_to_running_sneakers_than_to_a_coffee_mug_every_time()
    {
        output.WriteLine($"MiniLM loaded in {model.LoadTime.TotalMilliseconds:0} ms");

        var first = await model.Generator.GenerateAsync(["trail running shoes", "running sneakers", "coffee mug"]);
        var again = await model.Generator.GenerateAsync(["trail running shoes"]);

        var shoes = first[0].Vector.Span;
        var sneakers = TensorPrimitives.CosineSimilarity(shoes, first[1].Vector.Span);
        var mug = TensorPrimitives.CosineSimilarity(shoes, first[2].Vector.Span);
        output.WriteLine($"cos(shoes, sneakers) = {sneakers:0.000}, cos(shoes, mug) = {mug:0.000}");
        Assert.Equal(MiniLmEmbeddingGenerator.Dimensions, shoes.Length);
        Assert.True(sneakers > mug + 0.3, $"sneakers {sneakers}, mug {mug}");
        Assert.Equal(first[0].Vector.ToArray(), again[0].Vector.ToArray());
    }

    [Fact]
    public async Task Recommendations_follow_the_cart_and_never_include_a_cart_item_or_a_bought_item()
    {
        var request = new RecommendationRequest(
            Cart: [Catalogue[0] with { VariantId = "trail-size-10" }],
            Viewed: [],
            ViewedCollections: [],
            BoughtProductIds: ["road"],
            Candidates: Catalogue,
            Max: 3);

        var recommended = await Recommender().RecommendAsync(request, CancellationToken.None);

        Assert.Equal(3, recommended.Count);
        Assert.DoesNotContain(recommended, r => r.Product.ProductId is "trail" or "road");
        Assert.Equal(["socks", "vest"], recommended.Take(2).Select(r => r.Product.ProductId).Order());
        Assert.True(recommended[0].Score >= recommended[1].Score && recommended[1].Score >= recommended[2].Score);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(20)]
    public async Task Recommendations_are_at_most_n(int max)
    {
        var request = new RecommendationRequest([Catalogue[5]], [], [], [], Catalogue, max);

        var recommended = await Recommender().RecommendAsync(request, CancellationToken.None);

        Assert.Equal(Math.Min(max, Catalogue.Length - 1), recommended.Count);
        Assert.Equal(recommended.Count, recommended.Select(r => r.Product.ProductId).Distinct().Count());
    }

    [Fact]
    public async Task Without_a_cart_the_viewed_products_and_collections_lead_and_are_not_repeated()
    {
        var request = new RecommendationRequest(
            Cart: [],
            Viewed: [Catalogue[5]],
            ViewedCollections: ["Coffee brewing gear"],
            BoughtProductIds: [],
            Candidates: Catalogue,
            Max: 3);

        var recommended = await Recommender().RecommendAsync(request, CancellationToken.None);

        Assert.DoesNotContain(recommended, r => r.Product.ProductId == "grinder");
        Assert.All(recommended, r => Assert.True(r.Product.ProductId is "mug" or "beans" or "kettle", r.Product.ProductId));
    }

    [Fact]
    public async Task A_product_without_an_image_or_a_link_is_not_recommended()
    {
        CatalogProduct[] candidates =
        [
            Product("road", "Road running sneakers", image: false),
            Product("socks", "Cushioned running socks", link: false),
            Product("vest", "Hydration vest for trail runs"),
        ];

        var recommended = await Recommender().RecommendAsync(new([Catalogue[0]], [], [], [], candidates, 5), CancellationToken.None);

        Assert.Equal(["vest"], recommended.Select(r => r.Product.ProductId));
    }

    [Fact]
    public async Task Each_wording_is_embedded_once_then_served_from_the_cache()
    {
        var counting = new CountingGenerator(model.Generator);
        var recommender = Recommender(counting);
        var request = new RecommendationRequest([Catalogue[0]], [], [], [], Catalogue, 3);

        var first = await recommender.RecommendAsync(request, CancellationToken.None);
        var second = await recommender.RecommendAsync(request, CancellationToken.None);

        Assert.Equal(first.Select(r => r.Product.ProductId), second.Select(r => r.Product.ProductId));
        Assert.Equal(Catalogue.Length, counting.Texts);
        Assert.Equal(1, counting.Calls);
    }

    [Fact]
    public async Task The_recommendations_variable_renders_in_a_liquid_loop_with_title_image_and_link()
    {
        var store = new Dictionary<string, object?> { ["main_domain"] = "store.example" };
        var cartLine = new Dictionary<string, object?>
        {
            ["product_id"] = 7516974022740m, ["variant_id"] = 41564857663572m, ["title"] = "Trail running shoes",
            ["variant_title"] = "Size 9", ["image"] = "https://cdn.example.com/trail.jpg", ["handle"] = "trail-shoes",
        };
        var cart = CatalogProduct.FromModel(cartLine, (string?)store["main_domain"])!;
        var recommended = await Recommender().RecommendAsync(new([cart], [], [], [], Catalogue, 2), CancellationToken.None);
        var model = new Dictionary<string, object?> { ["recommendations"] = ProductRecommendations.ToLiquid(recommended) };

        var html = await new LiquidTemplates().RenderAsync(
            "{% for p in recommendations %}<a href=\"{{ p.url }}\"><img src=\"{{ p.image }}\">{{ p.title }}</a>{% endfor %}", model, html: true);

        Assert.Equal(("7516974022740", "https://store.example/products/trail-shoes"), (cart.ProductId, cart.Url));
        Assert.Equal(
            string.Concat(recommended.Select(r => $"<a href=\"{r.Product.Url}\"><img src=\"{r.Product.Image}\">{r.Product.Title}</a>")),
            html);
        Assert.Equal(2, recommended.Count);
    }

    /// <summary>Counts what reaches the real model (a wrapper, not a stand-in: every vector is MiniLM's).</summary>
    private sealed class CountingGenerator(IEmbeddingGenerator<string, Embedding<float>> inner)
        : DelegatingEmbeddingGenerator<string, Embedding<float>>(inner)
    {
        public int Calls { get; private set; }
        public int Texts { get; private set; }

        public override Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
            IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            var texts = values.ToList();
            Calls++;
            Texts += texts.Count;
            return base.GenerateAsync(texts, options, cancellationToken);
        }
    }
}
