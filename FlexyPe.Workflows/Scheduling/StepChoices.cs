using System.Text.Json;
using FlexyPe.Workflows.Assistant;
using FlexyPe.Workflows.Infrastructure;
using FlexyPe.Workflows.Model;
using FlexyPe.Workflows.Recommendations;
using FlexyPe.Workflows.Stores;
using FlexyPe.Workflows.Templates;
using FlexyPe.Workflows.Uplift;
using FlexyPe.Workflows.Variants;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace FlexyPe.Workflows.Scheduling;

/// <summary>
/// What AI assistance decides for the messages of one batch of due steps, with everything it needs read once per
/// batch: whether a step's discount is offered (the store's uplift model, its rule, or the enrollment's randomized
/// arm), which approved copy variant a treated enrollment gets (Thompson sampling), and the products recommended
/// (from embeddings already made: firing never waits on a model).
/// </summary>
public sealed class StepChoices(
    WorkflowsDbContext db,
    WorkflowClock clock,
    UpliftModelCache models,
    VariantTest variantTest,
    ProductEmbeddings embeddings,
    IOptions<WorkflowsOptions> options,
    IOptions<RecommendationOptions> recommendationOptions)
{
    /// <summary>Reads what the batch's steps need: models and cap usage of their stores, variants of their steps, recommendation candidates.</summary>
    public async Task<Batch> ForBatchAsync(
        IReadOnlyList<ScheduledStep> due, IReadOnlyDictionary<Guid, Enrollment> enrollments, IReadOnlyDictionary<Guid, string?> contexts,
        IReadOnlyDictionary<Guid, Sequence> sequences, CancellationToken ct)
    {
        var treated = due
            .Select(s => (Step: s, Enrollment: enrollments[s.EnrollmentId]))
            .Where(x => !x.Enrollment.HeldOut && x.Enrollment.State == EnrollmentStates.Active)
            .Select(x => (x.Step, x.Enrollment, Definition: sequences[x.Enrollment.SequenceId].Steps.FirstOrDefault(d => d.Number == x.Step.StepNumber)))
            .Where(x => x.Definition is { Enabled: true })
            .ToList();

        var discountStores = treated.Where(x => x.Definition!.DiscountCode is not null).Select(x => x.Enrollment.StoreId).Distinct().ToList();
        var storeModels = await models.CurrentAsync(db, discountStores, ct);
        var usage = await OfferCapUsageAsync([.. storeModels.Keys], ct);

        var stepKeys = treated.Select(x => (x.Enrollment.SequenceKey, x.Step.StepNumber)).Distinct().ToList();
        var variants = await VariantsAsync(stepKeys, ct);

        var recommending = treated.Where(x => ReadsRecommendations(x.Definition!.Template)).ToList();
        var candidates = new Dictionary<string, List<StoreProduct>>(StringComparer.Ordinal);
        var bought = new Dictionary<(string, string), HashSet<string>>();
        IReadOnlyDictionary<string, float[]> vectors = new Dictionary<string, float[]>();
        if (recommending.Count > 0 && recommendationOptions.Value.Max > 0)
        {
            candidates = await CandidatesAsync([.. recommending.Select(x => x.Enrollment.StoreId).Distinct()], ct);
            bought = await BoughtAsync([.. recommending.Where(x => x.Enrollment.ShopperEmail != null).Select(x => (x.Enrollment.StoreId, x.Enrollment.ShopperEmail!)).Distinct()], ct);
            // Anchors (the cart's lines) and candidates alike, from what the embedding job has already made.
            var hashes = candidates.Values.SelectMany(c => c.Select(p => p.ContentHash))
                .Concat(recommending.SelectMany(x => contexts[x.Enrollment.Id] is { } context ? StoreProducts.Read(context) : [])
                    .Select(p => p.Product.ContentHash))
                .ToHashSet(StringComparer.Ordinal);
            vectors = await embeddings.StoredAsync(hashes, ct);
        }
        return new Batch(variantTest, recommendationOptions.Value.Max, storeModels, usage, variants, candidates, bought, vectors);
    }

    /// <summary>The step's template uses <c>recommendations</c> (a superset test: a mention costs only the ranking).</summary>
    private static bool ReadsRecommendations(string template) => template.Contains("recommendations", StringComparison.Ordinal);

    /// <summary>Each store's model decisions in the offer cap's window, and how many offered.</summary>
    private async Task<Dictionary<string, OfferCapUsage>> OfferCapUsageAsync(IReadOnlyCollection<string> stores, CancellationToken ct)
    {
        if (stores.Count == 0)
        {
            return [];
        }
        var since = clock.Now - clock.Scale(options.Value.Uplift.OfferCapWindow);
        var rows = await (
            from s in db.ScheduledSteps
            join e in db.Enrollments on s.EnrollmentId equals e.Id
            where stores.Contains(e.StoreId) && s.DecisionSource == DecisionSources.Model && s.FiredAt >= since
            group s by e.StoreId into g
            select new { StoreId = g.Key, Decisions = g.Count(), Offers = g.Count(s => s.DiscountOffered == true) }).ToListAsync(ct);
        return rows.ToDictionary(r => r.StoreId, r => new OfferCapUsage(r.Decisions, r.Offers), StringComparer.Ordinal);
    }

    /// <summary>The approved variants of each step of the batch, and their arms' test states.</summary>
    private async Task<Dictionary<(string, int), StepTest>> VariantsAsync(List<(string SequenceKey, int StepNumber)> steps, CancellationToken ct)
    {
        var keys = steps.Select(s => s.SequenceKey).Distinct().ToList();
        var approved = await db.CopyVariants.AsNoTracking()
            .Where(v => keys.Contains(v.SequenceKey) && v.State == CopyVariantStates.Approved)
            .ToListAsync(ct);
        if (approved.Count == 0)
        {
            return [];
        }
        var stats = await db.VariantStats.AsNoTracking().Where(s => keys.Contains(s.SequenceKey)).ToListAsync(ct);
        return approved
            .Where(v => steps.Contains((v.SequenceKey, v.StepNumber)))
            .GroupBy(v => (v.SequenceKey, v.StepNumber))
            .ToDictionary(g => g.Key, g => new StepTest(
                [.. g.OrderBy(v => v.DecidedAt)],
                stats.Where(s => s.SequenceKey == g.Key.SequenceKey && s.StepNumber == g.Key.StepNumber).ToDictionary(s => s.VariantId)));
    }

    /// <summary>Each store's most recently seen products that have an embedding.</summary>
    private async Task<Dictionary<string, List<StoreProduct>>> CandidatesAsync(string[] stores, CancellationToken ct)
    {
        var limit = recommendationOptions.Value.Candidates;
        var rows = await db.StoreProducts.FromSql($"""
            SELECT p.* FROM unnest({stores}) AS s(store_id)
            CROSS JOIN LATERAL (
                SELECT * FROM store_products p
                WHERE p.store_id = s.store_id AND EXISTS (SELECT 1 FROM product_embeddings e WHERE e.content_hash = p.content_hash)
                ORDER BY p.last_seen_at DESC
                LIMIT {limit}
            ) AS p
            """).AsNoTracking().ToListAsync(ct);
        return rows.GroupBy(p => p.StoreId).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
    }

    /// <summary>The products each shopper bought: the lines of their completed checkouts.</summary>
    private async Task<Dictionary<(string, string), HashSet<string>>> BoughtAsync((string StoreId, string Email)[] shoppers, CancellationToken ct)
    {
        if (shoppers.Length == 0)
        {
            return [];
        }
        var stores = shoppers.Select(s => s.StoreId).ToArray();
        var emails = shoppers.Select(s => s.Email).ToArray();
        var rows = await db.Database.SqlQuery<BoughtRow>($"""
            SELECT r.store_id, r.shopper_email AS email, line ->> 'product_id' AS product_id
            FROM unnest({stores}, {emails}) AS shopper(store_id, email)
            JOIN received_events r ON r.store_id = shopper.store_id AND r.shopper_email = shopper.email
            CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(r.payload -> 'cart') = 'array' THEN r.payload -> 'cart' ELSE '[]'::jsonb END) AS line
            WHERE r.type = {EventTypes.AbandonedCheckout} AND r.payload -> 'checkout' ->> 'session_state' = {SessionStates.Completed}
              AND line ->> 'product_id' IS NOT NULL
            """).ToListAsync(ct);
        return rows.GroupBy(r => (r.StoreId, r.Email)).ToDictionary(g => g.Key, g => g.Select(r => r.ProductId).ToHashSet(StringComparer.Ordinal));
    }

    private sealed record BoughtRow(string StoreId, string Email, string ProductId);

    /// <summary>A step's approved variants and what its variant test knows of each arm.</summary>
    public sealed record StepTest(IReadOnlyList<StepCopyVariant> Variants, IReadOnlyDictionary<Guid, StepVariantStats> Stats);

    /// <summary>What a batch's steps choose from; one per batch, used on the firing thread only.</summary>
    public sealed class Batch(
        VariantTest variantTest,
        int maxRecommendations,
        IReadOnlyDictionary<string, UpliftModel> models,
        Dictionary<string, OfferCapUsage> usage,
        Dictionary<(string, int), StepTest> variants,
        Dictionary<string, List<StoreProduct>> candidates,
        Dictionary<(string, string), HashSet<string>> bought,
        IReadOnlyDictionary<string, float[]> vectors)
    {
        /// <summary>
        /// The treated step's choices: its discount (decided when the step has one), the variant it sends, and the
        /// recommendations its template may show (near the cart of <paramref name="context"/>, the event the message renders).
        /// Call after every reason to skip the step has been ruled out.
        /// </summary>
        public StepChoice Choose(Enrollment enrollment, string context, SequenceStep definition, EffectiveStoreSettings store, RecentViews views)
        {
            DiscountDecision? decision = null;
            decimal? cartValue = null, cost = null;
            if (definition.DiscountCode is not null)
            {
                var features = EnrollmentFeatures.Read(enrollment.Features) ?? new RecoveryFeatures();
                cartValue = features.CartValueMissing > 0 || !float.IsFinite(features.CartValue) ? null : (decimal)features.CartValue;
                cost = cartValue is { } value ? definition.DiscountCostOn(value) : null;
                var cap = usage.GetValueOrDefault(enrollment.StoreId, OfferCapUsage.None);
                // A step without a worth for its discount cannot be weighed: the rule stands (a negative cost says so).
                decision = DiscountDecider.Decide(enrollment.DiscountArm, new DiscountStep(true, cost ?? -1m), features,
                    models.GetValueOrDefault(enrollment.StoreId), store.Uplift, cap);
                if (decision.Source == DecisionSources.Model)
                {
                    usage[enrollment.StoreId] = new OfferCapUsage(cap.Decisions + 1, cap.Offers + (decision.Offered ? 1 : 0));
                }
            }
            var offered = decision?.Offered ?? false;
            var variant = ChooseVariant(enrollment, definition, offered, out var variantId);
            Func<string?, IReadOnlyList<Recommendation>>? recommend = ReadsRecommendations(definition.Template)
                ? storeUrl => Recommend(enrollment, context, views, storeUrl)
                : null;
            return new StepChoice(offered ? definition.DiscountCode : null, decision, cartValue, cost, variant, variantId, recommend);
        }

        /// <summary>
        /// Thompson sampling over the step's own copy and its approved, active variants. A variant that speaks of the
        /// discount code does not take part in a send whose discount is withheld.
        /// </summary>
        private StepCopyVariant? ChooseVariant(Enrollment enrollment, SequenceStep definition, bool discountOffered, out Guid? variantId)
        {
            variantId = null;
            if (!variants.TryGetValue((enrollment.SequenceKey, definition.Number), out var test))
            {
                return null;
            }
            // A variant is written in one store's voice (its brand notes and banned phrases): only that store sends it.
            var eligible = test.Variants
                .Where(v => v.StoreId is null || v.StoreId == enrollment.StoreId)
                .Where(v => discountOffered || definition.DiscountCode is null || !MentionsDiscount(v))
                .ToList();
            var arms = eligible.Select(v => v.Id).Prepend(StepCopyVariant.OwnCopy)
                .Select(id => test.Stats.GetValueOrDefault(id) is { } s
                    ? new VariantStats(id, s.Sends, s.Recoveries, s.Revenue, s.State)
                    : new VariantStats(id, 0, 0, 0m))
                .ToList();
            variantId = variantTest.Choose(arms, Random.Shared) ?? StepCopyVariant.OwnCopy;
            var chosen = variantId;
            return eligible.FirstOrDefault(v => v.Id == chosen);
        }

        private static bool MentionsDiscount(StepCopyVariant v)
            => $"{v.Subject}\n{v.PreviewText}\n{v.Opening}".Contains("discount_code", StringComparison.Ordinal);

        /// <summary>The store's products nearest to the cart (else to what the shopper viewed), none of them in the cart or bought.</summary>
        private List<Recommendation> Recommend(Enrollment enrollment, string context, RecentViews views, string? storeUrl)
        {
            if (maxRecommendations <= 0 || !candidates.TryGetValue(enrollment.StoreId, out var products))
            {
                return [];
            }
            var request = new RecommendationRequest(
                [.. StoreProducts.Read(context).Select(p => p.Product)],
                [.. views.Products.SelectMany(StoreProducts.Read).Select(p => p.Product)],
                [.. views.Collections.Select(CollectionName).OfType<string>()],
                enrollment.ShopperEmail is { } email ? bought.GetValueOrDefault((enrollment.StoreId, email)) ?? [] : [],
                [.. products.Select(p => StoreProducts.ToCatalog(p, storeUrl))],
                maxRecommendations);
            return [.. ProductRecommendations.Rank(request, vectors)];
        }

        private static string? CollectionName(string json)
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.TryGetProperty("collection", out var c) && c.ValueKind == JsonValueKind.Object
                && c.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String ? name.GetString() : null;
        }
    }
}

/// <summary>
/// What a step sends: the discount code when offered (null when withheld), the decision to record, the variant's copy
/// (null: the step's own), and its recommendations (made from the message's store URL; null when its template does
/// not read them).
/// </summary>
public sealed record StepChoice(
    string? DiscountCode, DiscountDecision? Decision, decimal? CartValue, decimal? DiscountCost,
    StepCopyVariant? Variant, Guid? VariantId, Func<string?, IReadOnlyList<Recommendation>>? Recommend)
{
    /// <summary>Adds the recommendations to a message model (their links on the model's <c>store_url</c>).</summary>
    public void AddRecommendationsTo(Dictionary<string, object?> model)
    {
        if (Recommend is not null)
        {
            model["recommendations"] = ProductRecommendations.ToLiquid(Recommend(model.GetValueOrDefault("store_url") as string));
        }
    }

    /// <summary>Records the decision and the variant on the step being sent (on the enrollment's timeline from then on).</summary>
    public void RecordOn(ScheduledStep step)
    {
        step.VariantId = VariantId;
        if (VariantId is { } variant)
        {
            System.Diagnostics.Activity.Current?.SetTag("flexype.variant.id", variant);
        }
        if (Decision is not { } d)
        {
            return;
        }
        System.Diagnostics.Activity.Current?.SetTag("flexype.discount.source", d.Source);
        System.Diagnostics.Activity.Current?.SetTag("flexype.discount.offered", d.Offered);
        System.Diagnostics.Activity.Current?.SetTag("flexype.uplift.version", d.ModelVersion);
        step.DiscountOffered = d.Offered;
        step.DecisionSource = d.Source;
        step.DecisionReason = d.Reason;
        step.ModelVersion = d.ModelVersion;
        step.PWith = d.PWith;
        step.PWithout = d.PWithout;
        step.ModelWouldOffer = d.ModelWouldOffer;
        step.DecisionCartValue = CartValue;
        step.DiscountCost = DiscountCost;
    }
}
