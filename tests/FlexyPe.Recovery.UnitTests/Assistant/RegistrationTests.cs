using FlexyPe.Workflows.Assistant;
using FlexyPe.Workflows.Recommendations;
using FlexyPe.Workflows.Variants;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace FlexyPe.Recovery.UnitTests.Assistant;

/// <summary>What the lead's Extensions.cs gets by calling the three registrations, with and without the <c>ai</c> connection string.</summary>
public sealed class RegistrationTests
{
    private static IServiceProvider Services(params (string Key, string Value)[] settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)));
        builder.AddCopyAssistant();
        builder.AddVariantTests();
        builder.AddProductRecommendations();
        return builder.Build().Services;
    }

    [Fact]
    public void Without_the_ai_connection_string_the_assistant_reports_off_and_the_rest_resolves()
    {
        var services = Services();

        var status = services.GetRequiredService<CopyAssistant>().Status();

        Assert.Equal("off", status.State);
        Assert.Contains("ConnectionStrings__ai", status.Detail);
        Assert.NotNull(services.GetRequiredService<VariantTest>());
        Assert.NotNull(services.GetRequiredService<ProductRecommendations>());
    }

    [Fact]
    public void The_ai_connection_string_and_the_assistant_settings_are_read_from_configuration()
    {
        var services = Services(
            ("ConnectionStrings:ai", "Endpoint=http://127.0.0.1:11434/v1;Model=llama3.2"),
            ("Workflows:Assistant:DailyTokenBudgetPerStore", "1234"));

        var status = services.GetRequiredService<CopyAssistant>().Status();

        Assert.Equal(("on", "llama3.2", "http://127.0.0.1:11434", 1234L), (status.State, status.Model, status.Endpoint, status.DailyTokenBudgetPerStore));
    }

    [Fact]
    public void The_embedding_model_is_loaded_only_when_first_used()
    {
        var generator = Services().GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();

        var minilm = generator.GetService<MiniLmEmbeddingGenerator>();

        Assert.NotNull(minilm);
        Assert.False(minilm.IsLoaded);
        Assert.Equal(MiniLmEmbeddingGenerator.ModelId, generator.GetService<EmbeddingGeneratorMetadata>()?.DefaultModelId);
    }
}
