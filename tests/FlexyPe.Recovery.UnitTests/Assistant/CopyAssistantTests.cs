using System.Diagnostics;
using System.Diagnostics.Metrics;
using FlexyPe.Workflows.Assistant;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Reply = FlexyPe.Recovery.Testing.ChatCompletionsStandIn.Reply;

namespace FlexyPe.Recovery.UnitTests.Assistant;

/// <summary>
/// The copy assistant through the real OpenAI client of Microsoft.Extensions.AI.OpenAI, against a local stand-in of
/// <c>/v1/chat/completions</c>: what goes over the wire, what comes back, and what the marketer is shown.
/// </summary>
public sealed class CopyAssistantTests
{
    private const string BrandNotes = "Warm and brief; we bake millet snacks in Pune. Marker-brand-7f3a.";

    private static CopyBrief Brief(bool hasDiscount = false, int count = 3, params string[] banned) => new(
        "store-1", "abandoned-checkout", "abandoned_checkout", 1, 3, hasDiscount, StepIntents.Reminder,
        new BrandVoice("en-IN", BrandNotes), CopyVariables.For(hasDiscount), banned, count);

    /// <summary>The runtime's own meter factory, one per test, so a test's metric collector sees only its own calls.</summary>
    private static IMeterFactory Meters() => new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>();

    private static CopyAssistant Assistant(
        ChatCompletionsStandIn standIn, Action<AssistantOptions>? change = null, TimeProvider? time = null, ILoggerFactory? logs = null,
        IMeterFactory? meters = null)
    {
        var options = new AssistantOptions();
        change?.Invoke(options);
        logs ??= NullLoggerFactory.Instance;
        var model = LanguageModel.FromConnectionString(
            $"Endpoint={standIn.Endpoint};Key=test-key;Model=gpt-test", logs, options.Timeout + TimeSpan.FromSeconds(5));
        return new CopyAssistant(model, new CopyGuardrails(), Options.Create(options), time ?? TimeProvider.System,
            new AssistantTelemetry(meters ?? Meters()), logs.CreateLogger<CopyAssistant>());
    }

    private static readonly string ThreeGood = ChatCompletionsStandIn.Variants(
        ("{{ customer.first_name | default: \"Hi\" }}, your cart is waiting", "We kept your picks at {{ store_name }}.", "You left something good behind."),
        ("Still thinking it over?", "Your {{ cart.first.title }} is where you left it.", "Pick up right where you stopped."),
        ("Your snacks are saved", "{{ totals.item_count }} items, ready when you are.", "Good things are worth a second look."));

    [Fact]
    public async Task The_request_names_the_model_and_asks_for_the_variants_json_schema()
    {
        using var standIn = new ChatCompletionsStandIn(_ => Reply.Completion(ThreeGood));

        await Assistant(standIn).ProposeAsync(Brief(), [], CancellationToken.None);

        var request = Assert.Single(standIn.Requests);
        Assert.Equal("/v1/chat/completions", request.Path);
        Assert.Equal("Bearer test-key", request.Authorization);
        var body = request.Json;
        Assert.Equal("gpt-test", (string?)body["model"]);
        Assert.Equal(["system", "user"], body["messages"]!.AsArray().Select(m => (string?)m!["role"]));
        Assert.Contains(BrandNotes, (string?)body["messages"]![0]!["content"]);
        Assert.Contains("\"step_number\":1", (string?)body["messages"]![1]!["content"]);
        var format = body["response_format"]!;
        Assert.Equal("json_schema", (string?)format["type"]);
        Assert.True((bool?)format["json_schema"]!["strict"]);
        var variant = format["json_schema"]!["schema"]!["properties"]!["variants"]!["items"]!["properties"]!.AsObject();
        Assert.Equal(["opening", "preview_text", "subject"], variant.Select(p => p.Key).Order());
        Assert.Equal(1500, (int?)(body["max_completion_tokens"] ?? body["max_tokens"]));
    }

    [Fact]
    public async Task Structured_output_becomes_proposed_variants_and_the_call_is_audited_with_its_tokens()
    {
        using var standIn = new ChatCompletionsStandIn(_ => Reply.Completion(ThreeGood, promptTokens: 412, completionTokens: 188));

        var proposal = await Assistant(standIn).ProposeAsync(Brief(), [], CancellationToken.None);

        Assert.Equal(AssistantOutcomes.Ok, proposal.Outcome);
        Assert.Equal(["{{ customer.first_name | default: \"Hi\" }}, your cart is waiting", "Still thinking it over?", "Your snacks are saved"],
            proposal.Variants.Select(v => v.Subject));
        Assert.All(proposal.Variants, v => Assert.Equal(CopyVariantStates.Proposed, v.State));
        Assert.Equal("Your {{ cart.first.title }} is where you left it.", proposal.Variants[1].PreviewText);
        Assert.Empty(proposal.Dropped);
        var audit = proposal.Audit;
        Assert.Equal((412, 188), (audit.InputTokens, audit.OutputTokens));
        Assert.Equal(("gpt-test-2026-01-01", CopyPrompt.Version, "store-1", 3, 3), (audit.Model, audit.PromptVersion, audit.StoreId, audit.Requested, audit.Kept));
    }

    [Fact]
    public async Task Each_draft_that_breaks_a_rule_is_dropped_with_its_reason_and_the_rest_are_kept()
    {
        var answer = ChatCompletionsStandIn.Variants(
            ("{{ customer.first_name | default: \"Hi\" }}, your cart is waiting", "We kept your picks at {{ store_name }}.", "You left something good behind."),
            ("Your cart, now only ₹499", "Prices this low do not last.", "Come back and save."),
            ("Come back to your cart", "Finish your order at milletsnacks.in/cart", "It only takes a minute."),
            ("{{ customer.email }}, still thinking?", "Your cart is saved.", "Pick up where you left off."),
            ("Act now before your cart expires", "Your cart is saved.", "Pick up where you left off."),
            ("Your hand-picked millet snacks are still waiting for you in your cart.", "Your cart is saved.", "Pick up where you left off."),
            ("Your cart misses you", "<b>Come back</b> today.", "Pick up where you left off."),
            ("Still thinking it over?", "Your {{ cart.first.title }} is where you left it.", "Pick up right where you stopped."));
        using var standIn = new ChatCompletionsStandIn(_ => Reply.Completion(answer));
        var meters = Meters();
        using var dropped = new MetricCollector<long>(meters, AssistantTelemetry.Name, "flexype.workflows.assistant.variants.dropped");
        using var kept = new MetricCollector<long>(meters, AssistantTelemetry.Name, "flexype.workflows.assistant.variants.kept");

        var proposal = await Assistant(standIn, meters: meters).ProposeAsync(Brief(count: 8, banned: "ACT NOW"), [], CancellationToken.None);

        Assert.Equal(["{{ customer.first_name | default: \"Hi\" }}, your cart is waiting", "Still thinking it over?"], proposal.Variants.Select(v => v.Subject));
        Assert.Equal(
            [
                ("Your cart, now only ₹499", GuardrailRules.Currency),
                ("Come back to your cart", GuardrailRules.Url),
                ("{{ customer.email }}, still thinking?", GuardrailRules.UnknownVariable),
                ("Act now before your cart expires", GuardrailRules.BannedPhrase),
                ("Your hand-picked millet snacks are still waiting for you in your cart.", GuardrailRules.SubjectTooLong),
                ("Your cart misses you", GuardrailRules.Html),
            ],
            proposal.Dropped.Select(d => (d.Draft.Subject, Assert.Single(d.Reasons).Rule)));
        Assert.Contains("customer.email", proposal.Dropped[2].Reasons[0].Detail);
        Assert.Contains("70 characters", proposal.Dropped[4].Reasons[0].Detail);
        Assert.Equal((8, 2), (proposal.Audit.Requested, proposal.Audit.Kept));
        Assert.Equal(6, proposal.Audit.DroppedReasons.Count);
        Assert.Equal(
            [GuardrailRules.Currency, GuardrailRules.Url, GuardrailRules.UnknownVariable, GuardrailRules.BannedPhrase, GuardrailRules.SubjectTooLong, GuardrailRules.Html],
            dropped.GetMeasurementSnapshot().Select(m => (string?)m.Tags["rule"]));
        Assert.Equal(2, kept.LastMeasurement?.Value);
    }

    [Fact]
    public async Task A_model_that_does_not_answer_in_time_is_reported_as_a_timeout()
    {
        using var standIn = new ChatCompletionsStandIn(_ => Reply.Completion(ThreeGood).After(TimeSpan.FromSeconds(4)));

        var proposal = await Assistant(standIn, o => o.Timeout = TimeSpan.FromMilliseconds(400)).ProposeAsync(Brief(), [], CancellationToken.None);

        Assert.Equal(AssistantOutcomes.Timeout, proposal.Outcome);
        Assert.Contains("did not answer within 0.4 s", proposal.Message);
        Assert.Empty(proposal.Variants);
        Assert.Equal((0, 0, AssistantOutcomes.Timeout), (proposal.Audit.InputTokens, proposal.Audit.OutputTokens, proposal.Audit.Outcome));
        Assert.True(proposal.Audit.Duration < TimeSpan.FromSeconds(3), $"the call took {proposal.Audit.Duration}");
    }

    [Fact]
    public async Task A_429_is_reported_as_rate_limited_at_once_without_retrying()
    {
        using var standIn = new ChatCompletionsStandIn(_ => Reply.Error(429, retryAfter: "7"));

        var proposal = await Assistant(standIn).ProposeAsync(Brief(), [], CancellationToken.None);

        Assert.Equal(AssistantOutcomes.RateLimited, proposal.Outcome);
        Assert.Contains("wait 7 s", proposal.Message);
        Assert.Single(standIn.Requests);
        Assert.Empty(proposal.Variants);
    }

    [Fact]
    public async Task Repeated_failures_pause_the_assistant_and_it_resumes_after_the_break()
    {
        var failing = true;
        using var standIn = new ChatCompletionsStandIn(_ => failing ? Reply.Error(500) : Reply.Completion(ThreeGood));
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var assistant = Assistant(standIn, o =>
        {
            o.Circuit.MinimumThroughput = 2;
            o.Circuit.BreakDuration = TimeSpan.FromSeconds(30);
        }, time);

        var first = await assistant.ProposeAsync(Brief(), [], CancellationToken.None);
        var second = await assistant.ProposeAsync(Brief(), [], CancellationToken.None);
        var third = await assistant.ProposeAsync(Brief(), [], CancellationToken.None);

        Assert.Equal([AssistantOutcomes.Failed, AssistantOutcomes.Failed, AssistantOutcomes.CircuitOpen], new[] { first, second, third }.Select(p => p.Outcome));
        Assert.Contains("HTTP 500", first.Message);
        Assert.Equal(2, standIn.Requests.Count);
        Assert.Equal("paused", assistant.Status().State);

        failing = false;
        time.Advance(TimeSpan.FromSeconds(31));
        var fourth = await assistant.ProposeAsync(Brief(), [], CancellationToken.None);

        Assert.Equal(AssistantOutcomes.Ok, fourth.Outcome);
        Assert.Equal("on", assistant.Status().State);
    }

    [Fact]
    public async Task A_store_that_has_spent_its_daily_tokens_gets_no_call_until_the_next_day()
    {
        using var standIn = new ChatCompletionsStandIn(_ => Reply.Completion(ThreeGood));
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 5, 7, 15, 0, 0, TimeSpan.Zero));
        var assistant = Assistant(standIn, o => o.DailyTokenBudgetPerStore = 10_000, time);
        AssistantCallRecord Spent(DateTimeOffset at, string store, long tokens) => new(
            Guid.NewGuid(), store, "abandoned-checkout", 1, CopyPrompt.Version, "gpt-test", tokens, 0, AssistantOutcomes.Ok, 3, 3, [], at, TimeSpan.FromSeconds(1));
        AssistantCallRecord[] calls =
        [
            Spent(time.GetUtcNow().AddHours(-2), "store-1", 9_000),
            Spent(time.GetUtcNow().AddDays(-1), "store-1", 50_000),
            Spent(time.GetUtcNow().AddHours(-1), "store-2", 50_000),
        ];

        var refused = await assistant.ProposeAsync(Brief(), calls, CancellationToken.None);
        time.Advance(TimeSpan.FromHours(9));
        var nextDay = await assistant.ProposeAsync(Brief(), calls, CancellationToken.None);

        Assert.Equal(AssistantOutcomes.BudgetExhausted, refused.Outcome);
        Assert.Contains("9,000 of its 10,000", refused.Message);
        Assert.Equal(AssistantOutcomes.Ok, nextDay.Outcome);
        Assert.Single(standIn.Requests);
    }

    [Fact]
    public async Task No_shopper_email_phone_or_name_is_in_any_request_body()
    {
        using var standIn = new ChatCompletionsStandIn(_ => Reply.Completion(ThreeGood));
        var assistant = Assistant(standIn);
        // The variables' samples come from the built-in sample checkout, whose shopper is John Doe.
        var brief = Brief(hasDiscount: true);
        Assert.Contains(brief.AllowedVariables, v => v.Sample == "John");

        await assistant.ProposeAsync(brief, [], CancellationToken.None);
        await assistant.ProposeAsync(Brief(hasDiscount: false, count: 5), [], CancellationToken.None);

        Assert.Equal(2, standIn.Requests.Count);
        foreach (var body in standIn.Requests.Select(r => r.Body))
        {
            foreach (var personal in new[] { "john.doe@example.com", "@example.com", "+919876543210", "9876543210" })
            {
                Assert.DoesNotContain(personal, body, StringComparison.OrdinalIgnoreCase);
            }
            Assert.DoesNotMatch(@"\bJohn\b|\bDoe\b", body);
        }
    }

    [Fact]
    public async Task Each_call_is_a_span_and_a_log_line_without_the_prompt_or_the_answer()
    {
        using var standIn = new ChatCompletionsStandIn(_ => Reply.Completion(ChatCompletionsStandIn.Variants(
            ("Marker-answer-91c2 your cart", "Your cart is saved.", "Pick up where you left off."))));
        var spans = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == AssistantTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity => { lock (spans) { spans.Add(activity); } },
        };
        ActivitySource.AddActivityListener(listener);
        var collector = new FakeLogCollector();
        using var logs = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(new FakeLoggerProvider(collector)));
        var brief = Brief(count: 1) with { StoreId = "store-span-test" };

        var proposal = await Assistant(standIn, logs: logs).ProposeAsync(brief, [], CancellationToken.None);

        Assert.Equal(AssistantOutcomes.Ok, proposal.Outcome);
        Activity[] ours;
        lock (spans)
        {
            var outer = spans.Single(s => s.OperationName == "workflows.assistant.propose" && (string?)s.GetTagItem("flexype.store.id") == "store-span-test");
            ours = [.. spans.Where(s => s.TraceId == outer.TraceId)];
        }
        var chat = Assert.Single(ours, s => (string?)s.GetTagItem("gen_ai.operation.name") == "chat");
        Assert.Equal("gpt-test", chat.GetTagItem("gen_ai.request.model"));
        Assert.Equal(412, Convert.ToInt32(chat.GetTagItem("gen_ai.usage.input_tokens"), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(188, Convert.ToInt32(chat.GetTagItem("gen_ai.usage.output_tokens"), System.Globalization.CultureInfo.InvariantCulture));
        var logged = collector.GetSnapshot();
        Assert.Contains(logged, r => r.Category == "Microsoft.Extensions.AI.LoggingChatClient" && r.Level == LogLevel.Debug);
        var spanValues = ours.SelectMany(s => s.TagObjects.Select(t => t.Value?.ToString())
            .Concat(s.Events.SelectMany(e => e.Tags.Select(t => t.Value?.ToString()))));
        var logValues = logged.Select(r => r.Message + " " + string.Join(",", r.StructuredState?.Select(kv => kv.Value) ?? []));
        var everything = string.Join("\n", spanValues.Concat(logValues));
        Assert.Contains("gpt-test", everything);
        Assert.DoesNotContain("Marker-brand-7f3a", everything);
        Assert.DoesNotContain("Marker-answer-91c2", everything);
    }

    [Fact]
    public async Task Without_a_connection_string_the_assistant_is_off_says_why_and_calls_nothing()
    {
        var assistant = new CopyAssistant(
            LanguageModel.FromConnectionString(null, NullLoggerFactory.Instance, TimeSpan.FromSeconds(15)),
            new CopyGuardrails(), Options.Create(new AssistantOptions()), TimeProvider.System, new AssistantTelemetry(Meters()),
            NullLogger<CopyAssistant>.Instance);

        var status = assistant.Status();
        var proposal = await assistant.ProposeAsync(Brief(), [], CancellationToken.None);

        Assert.Equal(("off", null, null), (status.State, status.Model, status.Endpoint));
        Assert.Contains("ConnectionStrings__ai", status.Detail);
        Assert.Equal(AssistantOutcomes.Off, proposal.Outcome);
        Assert.Equal(AssistantOutcomes.Off, proposal.Audit.Outcome);
        Assert.Empty(proposal.Variants);
    }

    [Theory]
    [InlineData("Endpoint=not a url;Key=sk-secret-123;Model=gpt-test", "no http(s) Endpoint")]
    [InlineData("Endpoint=https://api.example.test/v1;Key=sk-secret-123", "names no Model")]
    [InlineData("Endpoint=https://api.example.test/v1;Key=sk-secret-123;Model", "not of the form")]
    public void A_malformed_connection_string_turns_the_assistant_off_without_echoing_the_key(string connectionString, string reason)
    {
        var model = LanguageModel.FromConnectionString(connectionString, NullLoggerFactory.Instance, TimeSpan.FromSeconds(15));

        Assert.Null(model.Client);
        Assert.Contains(reason, model.Detail);
        Assert.DoesNotContain("sk-secret", model.Detail);
    }

    [Fact]
    public void The_status_names_the_model_and_endpoint_but_not_the_key()
    {
        using var standIn = new ChatCompletionsStandIn(_ => Reply.Completion(ThreeGood));

        var status = Assistant(standIn).Status();

        Assert.Equal(("on", "gpt-test", standIn.Endpoint.GetLeftPart(UriPartial.Authority)), (status.State, status.Model, status.Endpoint));
        Assert.DoesNotContain("test-key", status.Detail + status.Endpoint);
    }
}
