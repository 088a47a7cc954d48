using System.Globalization;
using FlexyPe.Workflows.Infrastructure;
using FlexyPe.Workflows.Model;
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
        db.Sequences.AddRange(
            Build("abandoned-checkout", "Abandoned checkout", EventTypes.AbandonedCheckout, [ExitRules.Purchase], now,
                Delays(seed.AbandonedCheckoutDelays),
                [
                    ("{{ customer.first_name | default: 'Hi' }}, you left something in your cart", CheckoutBody("Your cart is waiting for you.", discount: false), null),
                    ("Still thinking it over?", CheckoutBody("Your items are still saved. Complete your order before they sell out.", discount: false), null),
                    ("A little something to help you decide", CheckoutBody("Here is a discount for your order.", discount: true), "COMEBACK10"),
                ]),
            Build("abandoned-session", "Abandoned browsing session", EventTypes.AbandonedSession, [ExitRules.CheckoutAbandoned, ExitRules.Purchase], now,
                Delays(seed.AbandonedSessionDelays),
                [
                    ("Saw something you liked at {{ store_name }}?", SessionBody, null),
                    ("Picked for you at {{ store_name }}", SessionBody, null),
                ]),
            Build("welcome", "Welcome", EventTypes.NewCustomer, [ExitRules.PurchaseEndsDiscountSteps], now,
                Delays(seed.WelcomeDelays),
                [
                    ("Welcome to {{ store_name }}, {{ customer.first_name | default: 'friend' }}", WelcomeBody(discount: false), null),
                    ("A welcome gift from {{ store_name }}", WelcomeBody(discount: true), "WELCOME10"),
                ]));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    private static Sequence Build(
        string key, string name, string trigger, List<string> exitRules, DateTimeOffset now, IReadOnlyList<TimeSpan> delays,
        (string Subject, string Template, string? Discount)[] steps)
    {
        var sequence = new Sequence
        {
            Id = Guid.CreateVersion7(), Key = key, Version = 1, IsCurrent = true, Name = name, Trigger = trigger,
            ExitRules = exitRules, CreatedAt = now,
        };
        for (var i = 0; i < steps.Length; i++)
        {
            sequence.Steps.Add(new SequenceStep
            {
                SequenceId = sequence.Id, Number = i + 1,
                Delay = i < delays.Count ? delays[i] : delays[^1],
                DelayFrom = DelayFrom.Trigger,
                Subject = steps[i].Subject, Template = steps[i].Template, DiscountCode = steps[i].Discount,
            });
        }
        return sequence;
    }

    public static IReadOnlyList<TimeSpan> Delays(string list)
        => [.. list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(d => TimeSpan.Parse(d, CultureInfo.InvariantCulture))];

    private static string CheckoutBody(string lead, bool discount) => $$$"""
        <p>Hi {{ customer.first_name | default: 'there' }},</p>
        <p>{{{lead}}}</p>
        <table>
        {% for line in cart %}
          <tr><td><img src="{{ line.image }}" alt="" width="64"></td><td>{{ line.title }}<br>{{ line.variant_title }}</td><td>{{ line.quantity }} × {{ line.price }}</td></tr>
        {% endfor %}
        </table>
        <p>Total: {{ totals.total_payable }}</p>
        {{{(discount ? "<p>Use code <strong>{{ discount_code }}</strong> at checkout.</p>" : "")}}}
        <p><a href="{{ checkout_url }}">Complete your order</a></p>
        <p>{{ store_name }}</p>
        """;

    private const string SessionBody = """
        <p>Hi {{ customer.first_name | default: 'there' }},</p>
        <p>Still thinking about these?</p>
        <ul>
        {% for product in recently_viewed.products limit: 4 %}<li><img src="{{ product.image }}" alt="" width="64"> {{ product.title }}</li>{% endfor %}
        {% for collection in recently_viewed.collections limit: 2 %}<li>{{ collection.name }}</li>{% endfor %}
        </ul>
        <p>{{ store_name }}</p>
        """;

    private static string WelcomeBody(bool discount) => $$$"""
        <p>Hi {{ customer.first_name | default: 'there' }},</p>
        <p>Welcome to {{ store_name }}. We are glad you are here.</p>
        {{{(discount ? "<p>Here is 10% off your first order: <strong>{{ discount_code }}</strong></p>" : "")}}}
        """;
}
