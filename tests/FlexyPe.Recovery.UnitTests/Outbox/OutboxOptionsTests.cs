using FlexyPe.Ingest.HandOffs;
using FlexyPe.Outbox;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace FlexyPe.Recovery.UnitTests.Outbox;

/// <summary>A service's outbox settings as <c>AddOutbox</c> registers them: its defaults, its section over them, checked.</summary>
public sealed class OutboxOptionsTests
{
    private static OutboxOptions Resolve(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:testdb"] = "Host=127.0.0.1;Database=testdb" });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddOutbox<EventsToWorkflows>("testdb", "Test:Outbox", outbox => outbox.SendBatchSize = 25);
        using var services = builder.Services.BuildServiceProvider();
        return services.GetRequiredService<IOptions<OutboxOptions>>().Value;
    }

    [Fact]
    public void The_section_overrides_the_service_defaults_which_override_the_library_defaults()
    {
        var options = Resolve(new() { ["Test:Outbox:SweepInterval"] = "00:00:05", ["Test:Outbox:Concurrency"] = "2" });

        Assert.Equal(25, options.SendBatchSize);
        Assert.Equal(TimeSpan.FromSeconds(5), options.SweepInterval);
        Assert.Equal(2, options.Concurrency);
        Assert.Equal(100, options.BatchSize);
    }

    [Fact]
    public void A_ceiling_below_the_first_retry_delay_is_refused_naming_both_settings()
    {
        var refused = Assert.Throws<OptionsValidationException>(() => Resolve(new()
        {
            ["Test:Outbox:FirstRetryDelay"] = "00:00:10",
            ["Test:Outbox:MaxRetryDelay"] = "00:00:01",
        }));

        Assert.Contains("Test:Outbox:MaxRetryDelay must not be less than Test:Outbox:FirstRetryDelay", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("BatchSize", "0")]
    [InlineData("Concurrency", "65")]
    [InlineData("SendBatchSize", "501")]
    [InlineData("SweepInterval", "00:00:00")]
    public void A_setting_out_of_its_range_is_refused_by_name(string setting, string value)
    {
        var refused = Assert.Throws<OptionsValidationException>(() => Resolve(new() { [$"Test:Outbox:{setting}"] = value }));

        Assert.Contains(setting, refused.Message, StringComparison.Ordinal);
    }
}
