using System.Globalization;
using FlexyPe.Workflows.Infrastructure;
using FlexyPe.Workflows.Model;
using FlexyPe.Workflows.Templates;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace FlexyPe.Workflows.Sequences;

/// <summary>The sequences seeded on first start: ordinary data marketers edit afterwards, with delays from <c>Workflows:Seed</c>.</summary>
public static class DefaultSequences
{
    public static async Task SeedAsync(WorkflowsDbContext db, IServiceProvider services, CancellationToken cancellationToken)
    {
        // Replicas start together: one seeds, the others wait for it and find the sequences there.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.Database.ExecuteSqlRawAsync("SELECT pg_advisory_xact_lock(hashtextextended('workflows:seed', 0))", cancellationToken);
        if (await db.Sequences.AnyAsync(cancellationToken))
        {
            await transaction.CommitAsync(cancellationToken);
            return;
        }
        var seed = services.GetRequiredService<IOptions<WorkflowsOptions>>().Value.Seed;
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        db.Sequences.AddRange(Build(seed, now));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>The seeded sequences, each step with its own intent: a reminder, reassurance, a last chance with a discount.</summary>
    public static IReadOnlyList<Sequence> Build(SeedOptions seed, DateTimeOffset now) =>
    [
        Build("abandoned-checkout", "Abandoned checkout", EventTypes.AbandonedCheckout, [ExitRules.Purchase], now,
            Delays(seed.AbandonedCheckoutDelays),
            [
                new("{{ customer.first_name | default: 'Hi' }}, you left something in your cart",
                    "Your cart at {{ brand.name }} is saved. Pick up where you left off.", "abandoned-checkout-1", null),
                new("Still thinking it over?",
                    "Questions before you buy? Just reply, we're happy to help.", "abandoned-checkout-2", null),
                // Offered or withheld per shopper (docs/uplift.md): the copy reads well either way.
                new("{% if discount_code %}A little something to help you decide{% else %}Your cart won't wait forever{% endif %}",
                    "{% if discount_code %}Use {{ discount_code }} at checkout. {% endif %}Your cart is still waiting.", "abandoned-checkout-3", "COMEBACK10"),
            ]),
        Build("abandoned-session", "Abandoned browsing session", EventTypes.AbandonedSession, [ExitRules.CheckoutAbandoned, ExitRules.Purchase], now,
            Delays(seed.AbandonedSessionDelays),
            [
                new("Saw something you liked at {{ store_name }}?",
                    "The things you were looking at are still here.", "abandoned-session-1", null),
                new("Picked for you at {{ store_name }}",
                    "A few picks based on what you browsed.", "abandoned-session-2", null),
            ]),
        Build("welcome", "Welcome", EventTypes.NewCustomer, [ExitRules.PurchaseEndsDiscountSteps], now,
            Delays(seed.WelcomeDelays),
            [
                new("Welcome to {{ store_name }}, {{ customer.first_name | default: 'friend' }}",
                    "Thanks for joining us. Here's where to start.", "welcome-1", null),
                new("{% if discount_code %}A welcome gift from {{ store_name }}{% else %}Settling in at {{ store_name }}?{% endif %}",
                    "{% if discount_code %}Use {{ discount_code }} on your first order.{% else %}A few favourites to start with.{% endif %}", "welcome-2", "WELCOME10"),
            ]),
    ];

    /// <summary>A seeded step; its discount, when it has one, is 10% of the order (COMEBACK10, WELCOME10).</summary>
    private sealed record DefaultStep(string Subject, string PreviewText, string TemplateName, string? Discount);

    private const decimal SeededDiscountPercent = 10m;

    private static Sequence Build(
        string key, string name, string trigger, List<string> exitRules, DateTimeOffset now, IReadOnlyList<TimeSpan> delays,
        DefaultStep[] steps)
    {
        var sequence = new Sequence
        {
            Id = Guid.CreateVersion7(), Key = key, Version = 1, IsCurrent = true, Name = name, Trigger = trigger,
            ExitRules = exitRules, CreatedAt = now, CreatedBy = "seed",
        };
        for (var i = 0; i < steps.Length; i++)
        {
            sequence.Steps.Add(new SequenceStep
            {
                SequenceId = sequence.Id, Number = i + 1,
                Delay = i < delays.Count ? delays[i] : delays[^1],
                DelayFrom = DelayFrom.Trigger,
                Subject = steps[i].Subject, PreviewText = steps[i].PreviewText,
                Template = DefaultTemplates.Read(steps[i].TemplateName), DiscountCode = steps[i].Discount,
                DiscountPercent = steps[i].Discount is null ? null : SeededDiscountPercent,
            });
        }
        return sequence;
    }

    public static IReadOnlyList<TimeSpan> Delays(string list)
        => [.. list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(d => TimeSpan.Parse(d, CultureInfo.InvariantCulture))];
}
