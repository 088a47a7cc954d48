// Benchmark part 5: the recovery-uplift model on a planted store, through Workflows' own code (FlexyPe.Workflows/Uplift):
// the holdout, the randomized discount arms, the features built from normalized events, training, storing as bytes
// and loading back, and the per-enrollment decision. Then the decision policy against always and never giving the
// discount, on shoppers the model never saw, in net revenue after discount costs.
//
//   dotnet bench/ai/bin/Release/net10.0/AiDecisions.dll --history 360000 --evaluation 30000 --seed 2026 --out bench/results/ai-decisions.json
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using AiDecisionsBench;
using FlexyPe.Workflows.Uplift;

var options = Arguments.Parse(args);
var kolkata = TimeZoneInfo.FindSystemTimeZoneById("Asia/Kolkata");
var settings = new UpliftSettings();   // the service's defaults: 10% held out, 10% + 10% explored, margin 1, no offer cap
Console.WriteLine($"planted store: {options.History:N0} enrollments of history, {options.Evaluation:N0} fresh shoppers to evaluate on, seed {options.Seed}");

// --- the store's history: every abandoned checkout enrolled, held out or treated, and treated ones given an arm ----------
var featureClock = Stopwatch.StartNew();
var store = new PlantedStore(options.Seed);
var arms = new DiscountArmDraw(new Random(options.Seed + 1));
var examples = new List<UpliftExample>();
var truth = new Dictionary<string, ShopperType>();
int heldOut = 0, policyArm = 0;
for (var i = 0; i < options.History; i++)
{
    var shopper = store.Next($"chk-{options.Seed}-{i}");
    if (Holdout.IsHeldOut(PlantedStore.StoreId, shopper.Key, settings.HoldoutShare))
    {
        heldOut++;   // enrolled and tracked, sent nothing: not part of the discount experiment
        continue;
    }
    var arm = arms.Draw(settings.ExplorationShare);
    if (!DiscountArms.IsRandomized(arm))
    {
        policyArm++;   // the step's rule (no model yet): not randomized, so not learned from
        continue;
    }
    var offered = arm == DiscountArms.ExploreOffer;
    truth[shopper.Key] = shopper.Type;
    examples.Add(new UpliftExample(shopper.Key, Features(shopper), offered, offered ? shopper.BuysWithDiscount : shopper.BuysWithout));
}
var featureSeconds = featureClock.Elapsed.TotalSeconds;
Console.WriteLine($"history: {heldOut:N0} held out ({heldOut / (double)options.History:P2}), {examples.Count:N0} in the randomized arms, {policyArm:N0} in the policy arm; features built in {featureSeconds:0.0} s");

// --- training, as the retraining job does it -------------------------------------------------------------------------
var trainClock = Stopwatch.StartNew();
var trained = UpliftTrainer.Train(new UpliftTrainingSet(PlantedStore.StoreId, examples, FinishedEnrollments: options.History),
    version: 1, DateTimeOffset.UtcNow, new UpliftTrainingOptions { Seed = options.Seed });
var trainingSeconds = trainClock.Elapsed.TotalSeconds;
if (trained.Model is null)
{
    Console.Error.WriteLine("the model did not train: " + trained.Reason);
    return 1;
}
var info = trained.Model.Info;
Console.WriteLine(FormattableString.Invariant(
    $"trained on {info.TrainingSize:N0} rows in {trainingSeconds:0.00} s: held-out AUC {info.HeldOutAuc:0.000} (with {info.HeldOutAucWithDiscount:0.000}, without {info.HeldOutAucWithoutDiscount:0.000}), Qini {info.Qini:0.000} on {info.HeldOutSize:N0}"));
var readiness = ModelReadiness.WhyNotReady(info, settings.Thresholds);
Console.WriteLine("ready to decide: " + (readiness ?? "yes"));

// Stored as bytes (a bytea column in the service) and loaded back: the decisions below use the loaded copy.
var bytes = trained.Model.ToBytes();
var model = UpliftModel.TryLoad(bytes, out var loadProblem) ?? throw new InvalidOperationException(loadProblem);

// The Qini of the true uplift on the same held-out enrollments: how far the model is from knowing the planted types.
var trueQini = UpliftMetrics.Qini([.. trained.HeldOut.Select(e => (truth[e.Key] == ShopperType.Persuadable ? 1.0 : 0.0, e.DiscountOffered, e.Recovered))]);

// --- evaluation on fresh shoppers: each policy's net revenue after discount costs -------------------------------------
var fresh = new PlantedStore(options.Seed + 1_000_000);
var usage = OfferCapUsage.None;
double policy = 0, always = 0, never = 0, oracle = 0, keptActual = 0;
var offeredByType = new Dictionary<ShopperType, (int Offered, int Count)>();
var decisions = new List<DiscountOutcome>();
var labelsWith = new List<bool>();
var labelsWithout = new List<bool>();
var scoresWith = new List<float>();
var scoresWithout = new List<float>();
var sources = new Dictionary<string, int>();
for (var i = 0; i < options.Evaluation; i++)
{
    var shopper = fresh.Next($"fresh-{options.Seed}-{i}");
    var features = Features(shopper);
    var value = (double)shopper.CartValue;
    var discount = shopper.CartValue * PlantedStore.DiscountShare;
    var decision = DiscountDecider.Decide(DiscountArms.Policy, new DiscountStep(true, discount), features, model, settings, usage);
    if (decision.Source == DecisionSources.Model)
    {
        usage = new OfferCapUsage(usage.Decisions + 1, usage.Offers + (decision.Offered ? 1 : 0));
    }
    sources[decision.Source] = sources.GetValueOrDefault(decision.Source) + 1;

    var withRevenue = shopper.BuysWithDiscount ? value - (double)discount : 0;
    var withoutRevenue = shopper.BuysWithout ? value : 0;
    always += withRevenue;
    never += withoutRevenue;
    policy += decision.Offered ? withRevenue : withoutRevenue;
    oracle += Math.Max(withRevenue, withoutRevenue);
    if (decision is { Source: DecisionSources.Model, Offered: false })
    {
        keptActual += withoutRevenue - withRevenue;
    }
    var (o, c) = offeredByType.GetValueOrDefault(shopper.Type);
    offeredByType[shopper.Type] = (o + (decision.Offered ? 1 : 0), c + 1);
    decisions.Add(new DiscountOutcome(DateTimeOffset.UnixEpoch, DiscountArms.Policy, decision, shopper.CartValue, discount,
        decision.Offered ? shopper.BuysWithDiscount : shopper.BuysWithout, (decimal)(decision.Offered ? withRevenue : withoutRevenue)));
    labelsWith.Add(shopper.BuysWithDiscount);
    labelsWithout.Add(shopper.BuysWithout);
    scoresWith.Add((float)(decision.PWith ?? double.NaN));
    scoresWithout.Add((float)(decision.PWithout ?? double.NaN));
}
var report = DiscountReport.PerPeriod(decisions, ReportPeriod.Month).Single();

var result = new JsonObject
{
    ["propensity_auc_heldout"] = Round(info.HeldOutAuc),
    ["uplift_qini_heldout"] = Round(info.Qini),
    ["policy_revenue_vs_always_discount"] = Round(policy / always),
    ["policy_revenue_vs_never_discount"] = Round(policy / never),
    ["holdout_share_observed"] = Round(heldOut / (double)options.History),
    ["training_seconds"] = Math.Round(trainingSeconds, 2),
    ["goals"] = new JsonObject
    {
        ["policy_beats_always_discount"] = policy / always > 1.0,
        ["policy_beats_never_discount"] = policy / never > 1.0,
        ["propensity_auc_at_least_0_75"] = info.HeldOutAuc >= 0.75,
        ["training_50000_rows_under_30_s"] = info.TrainingSize >= 50_000 && trainingSeconds < 30,
    },
    ["what"] = "A planted store (fixed seeds): sure-things buy either way (88%), persuadables buy with the discount (75%) and rarely "
        + "without (6%), lost causes rarely buy (3%); each shopper's kind is drawn from what its events carry. History: every enrollment "
        + "held out or not by Workflows' SHA-256 holdout (10%), treated ones given a discount arm by DiscountArmDraw (10% offered, 10% "
        + "denied at random); the randomized arms are the training set. Features built by RecoveryFeatureBuilder from normalized events. "
        + "Trained by UpliftTrainer (two FastTree learners; AUC and Qini on its hash-chosen held-out fifth), stored with ToBytes and loaded "
        + "with TryLoad. Evaluation: fresh shoppers the model never saw, each decided by DiscountDecider (the service's defaults: margin 1, "
        + "no offer cap); both outcomes of every shopper are drawn once, so the policies are compared on the same shoppers. Net revenue "
        + "= order value, less the step's 20% discount where it was given, for shoppers who buy.",
    ["seed"] = options.Seed,
    ["history_enrollments"] = options.History,
    ["held_out_enrollments"] = heldOut,
    ["randomized_enrollments"] = examples.Count,
    ["policy_arm_enrollments"] = policyArm,
    ["training_rows"] = info.TrainingSize,
    ["held_out_split_rows"] = info.HeldOutSize,
    ["recoveries_with_discount"] = info.RecoveriesWithDiscount,
    ["recoveries_without_discount"] = info.RecoveriesWithoutDiscount,
    ["propensity_auc_heldout_with_discount"] = Round(info.HeldOutAucWithDiscount),
    ["propensity_auc_heldout_without_discount"] = Round(info.HeldOutAucWithoutDiscount),
    ["uplift_qini_heldout_of_true_uplift"] = Round(trueQini),
    ["model_ready_to_decide"] = readiness is null,
    ["model_bytes"] = bytes.Length,
    ["feature_seconds"] = Math.Round(featureSeconds, 2),
    ["evaluation_shoppers"] = options.Evaluation,
    ["evaluation_decisions_by_source"] = new JsonObject([.. sources.OrderBy(s => s.Key).Select(s => KeyValuePair.Create(s.Key, (JsonNode?)s.Value))]),
    ["evaluation_auc_with_discount"] = Round(UpliftMetrics.Auc(labelsWith, scoresWith)),
    ["evaluation_auc_without_discount"] = Round(UpliftMetrics.Auc(labelsWithout, scoresWithout)),
    ["evaluation_types"] = new JsonObject([.. offeredByType.OrderBy(t => t.Key).Select(t => KeyValuePair.Create(Name(t.Key), (JsonNode?)new JsonObject
    {
        ["shoppers"] = t.Value.Count,
        ["offered_share"] = Round(t.Value.Offered / (double)t.Value.Count),
    }))]),
    ["net_revenue"] = new JsonObject
    {
        ["policy"] = Math.Round(policy), ["always_discount"] = Math.Round(always), ["never_discount"] = Math.Round(never),
        ["oracle"] = Math.Round(oracle),
    },
    ["policy_revenue_vs_oracle"] = Round(policy / oracle),
    ["policy_offered_share"] = Round(report.Given / (double)report.Decisions),
    ["revenue_kept_estimated"] = Math.Round(report.RevenueKeptEstimated),
    ["revenue_kept_actual"] = Math.Round(keptActual),
    ["machine"] = new JsonObject
    {
        ["cores"] = Environment.ProcessorCount, ["dotnet"] = RuntimeInformation.FrameworkDescription,
        ["os"] = RuntimeInformation.OSDescription, ["loadavg_before"] = options.LoadAverage,
    },
    ["date"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssK", CultureInfo.InvariantCulture),
};
Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(options.Out))!);
File.WriteAllText(options.Out, result.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
Console.WriteLine(FormattableString.Invariant(
    $"net revenue on {options.Evaluation:N0} fresh shoppers: policy / always {policy / always:0.000}, policy / never {policy / never:0.000}, policy / oracle {policy / oracle:0.000}"));
Console.WriteLine($"written: {options.Out}");
return 0;

RecoveryFeatures Features(PlantedShopper shopper)
{
    using var json = JsonDocument.Parse(shopper.NormalizedEvent);
    return RecoveryFeatureBuilder.Build(json.RootElement, shopper.History, kolkata);
}

static double Round(double value) => double.IsFinite(value) ? Math.Round(value, 4) : double.NaN;

static string Name(ShopperType type) => type switch
{
    ShopperType.SureThing => "sure_thing",
    ShopperType.Persuadable => "persuadable",
    _ => "lost_cause",
};

internal sealed record Arguments(int History, int Evaluation, int Seed, string Out, string? LoadAverage)
{
    public static Arguments Parse(string[] args)
    {
        string? Value(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        return new Arguments(
            int.Parse(Value("--history") ?? "360000", CultureInfo.InvariantCulture),
            int.Parse(Value("--evaluation") ?? "30000", CultureInfo.InvariantCulture),
            int.Parse(Value("--seed") ?? "2026", CultureInfo.InvariantCulture),
            Value("--out") ?? "bench/results/ai-decisions.json",
            Value("--loadavg"));
    }
}
