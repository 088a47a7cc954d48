using FlexyPe.Workflows.Templates;

namespace FlexyPe.Recovery.UnitTests.Workflows;

/// <summary>
/// A marketer's template cannot loop for ever, fill the memory, read a file or reach the network: it fails with a
/// message that says which limit it broke. Memory is measured as bytes this thread allocated, not time.
/// </summary>
public sealed class TemplateLimitTests
{
    private readonly LiquidTemplates templates = new();

    private static Dictionary<string, object?> Model(params (string Name, object? Value)[] values)
        => values.ToDictionary(v => v.Name, v => v.Value);

    [Fact]
    public void A_literal_range_of_fifty_million_items_is_refused_when_saved()
    {
        var error = templates.Validate("Hello {% for i in (1..50000000) %}{{ i }}{% endfor %}");

        Assert.NotNull(error);
        Assert.Contains("50,000,000 items", error.Message, StringComparison.Ordinal);
        Assert.Contains("at most 1,000", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_range_within_the_limit_is_saved_and_renders()
    {
        Assert.Null(templates.Validate("{% for i in (1..5) %}{{ i }}{% endfor %}"));
    }

    [Fact]
    public async Task A_range_within_the_limit_renders_every_item()
        => Assert.Equal("12345", await templates.RenderAsync("{% for i in (1..5) %}{{ i }}{% endfor %}", Model(), html: true));

    [Fact]
    public async Task A_range_whose_end_comes_from_the_data_fails_before_it_is_built()
    {
        var before = GC.GetAllocatedBytesForCurrentThread();

        var failure = await Assert.ThrowsAsync<TemplateRenderException>(() => templates.RenderAsync(
            "{% for i in (1..checkout.total_payable) %}{{ i }}{% endfor %}",
            Model(("checkout", new Dictionary<string, object?> { ["total_payable"] = 50_000_000m })), html: true));

        Assert.Contains("at most 1,000", failure.Message, StringComparison.Ordinal);
        // Fluid alone builds an array of 50 million numbers first (gigabytes); bounded, nothing of the sort.
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 10_000_000, "the range was built before it was refused");
    }

    [Fact]
    public async Task A_value_that_doubles_on_every_assign_stops_at_the_value_limit()
    {
        var before = GC.GetAllocatedBytesForCurrentThread();

        var failure = await Assert.ThrowsAsync<TemplateRenderException>(() => templates.RenderAsync(
            "{% assign s = 'xxxxxxxxxx' %}{% for i in (1..40) %}{% assign s = s | append: s %}{% endfor %}{{ s | size }}",
            Model(), html: true));

        Assert.Contains("a value may have at most", failure.Message, StringComparison.Ordinal);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 50_000_000, "the value kept growing past its limit");
    }

    [Fact]
    public async Task Output_past_a_megabyte_fails()
    {
        var failure = await Assert.ThrowsAsync<TemplateRenderException>(() => templates.RenderAsync(
            "{% for i in (1..1000) %}{% for j in (1..1000) %}{{ line }}{% endfor %}{% endfor %}",
            Model(("line", new string('a', 2_000))), html: true));

        Assert.Contains("output is longer than", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Nested_loops_stop_at_the_step_limit()
    {
        var failure = await Assert.ThrowsAsync<TemplateRenderException>(() => templates.RenderAsync(
            "{% for a in (1..1000) %}{% for b in (1..1000) %}{% if a == b %}{% endif %}{% endfor %}{% endfor %}",
            Model(), html: true));

        Assert.StartsWith("The template could not be rendered", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{% include '/etc/passwd' %}")]
    [InlineData("{% include '../../../../../../etc/passwd' %}")]
    [InlineData("{% render '/etc/passwd' %}")]
    public async Task A_template_cannot_read_a_file(string template)
    {
        string? rendered = null;
        try
        {
            rendered = await templates.RenderAsync(template, Model(), html: true);
        }
        catch (TemplateRenderException)
        {
            // Refused: as good as empty.
        }
        Assert.DoesNotContain("root:", rendered ?? "", StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_template_cannot_reach_the_network()
    {
        var requests = 0;
        using var listener = new LocalHttpListener(_ =>
        {
            Interlocked.Increment(ref requests);
            return Task.CompletedTask;
        });

        foreach (var template in new[]
        {
            $"{{% include '{listener.BaseUrl}/partial' %}}",
            $"{{% render '{listener.BaseUrl}/partial' %}}",
        })
        {
            try
            {
                await templates.RenderAsync(template, Model(), html: true);
            }
            catch (TemplateRenderException)
            {
            }
        }

        Assert.Equal(0, Volatile.Read(ref requests));
    }
}
