using FlexyPe.Recovery.StackTests.Workflows;
using Reply = FlexyPe.Recovery.Testing.ChatCompletionsStandIn.Reply;

namespace FlexyPe.Recovery.StackTests.Assistance;

/// <summary>
/// The Workflows stack (time compressed as in <see cref="WorkflowsStack"/>) with the connection string <c>ai</c> pointing at a
/// local stand-in of <c>/v1/chat/completions</c>, the one part outside our control, replaced at the wire. The stand-in
/// answers every call with <see cref="Drafts"/>: two drafts that pass the guardrails and four that break one each.
/// </summary>
public sealed class AssistedStack : ServingWorkflowsStack, IAsyncLifetime
{
    public const string ModelName = "gpt-standin-2026-01-01";
    public const string ApiKey = "standin-key-not-a-secret";

    /// <summary>The approved variant's copy, as the model wrote it and as a shopper named John reads it.</summary>
    public const string GoodSubject = "{{ customer.first_name | default: 'Hi' }}, your picks are waiting";
    public const string GoodSubjectForJohn = "John, your picks are waiting";
    public const string GoodOpening = "We kept every item just as you left it, ready whenever you are.";

    public static readonly string Drafts = ChatCompletionsStandIn.Variants(
        (GoodSubject, "Everything you chose is saved for you.", GoodOpening),
        ("Still deciding? Your cart is saved", "Pick up right where you left off.", "Take your time; your cart will be here when you come back."),
        ("Come back to your cart", "Finish at www.example-shop.com today.", "Your cart is waiting."),
        ("Your carefully chosen favourites are all still waiting for you in your cart", "Come back soon.", "Your cart is waiting."),
        ("{{ customer.email }}, your cart misses you", "Come back soon.", "Your cart is waiting."),
        ("Only ₹630 to go", "Come back soon.", "Your cart is waiting."));

    public ChatCompletionsStandIn Model { get; } = new(_ => Reply.Completion(Drafts, promptTokens: 412, completionTokens: 188, model: ModelName));

    protected override IEnumerable<string> ExtraArguments =>
    [
        $"--ConnectionStrings:ai=Endpoint={Model.Endpoint};Key={ApiKey};Model={ModelName}",
        $"--Workflows:TimeScale={WorkflowsStack.TimeScale}",
        "--Workflows:QuietHours:Enabled=false",
        "--Workflows:FrequencyCap=00:00:00",
        "--Workflows:Seed:AbandonedCheckoutDelays=01:00:00,03:00:00,05:00:00",
        "--Workflows:Variants:RollUpInterval=00:00:01",
    ];

    public new async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Model.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class AssistedStackCollection : ICollectionFixture<AssistedStack>
{
    public const string Name = "Workflows stack with the copy assistant";
}
