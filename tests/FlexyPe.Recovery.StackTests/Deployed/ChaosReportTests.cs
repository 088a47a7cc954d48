using System.Text.Json;
using FlexyPe.Chaos.Faults;

namespace FlexyPe.Recovery.StackTests.Deployed;

/// <summary>
/// bench/results/chaos-latest.json is read by people and scripts by the names issue 15 and bench/README.md give its
/// figures; the serializer's snake-case policy alone would write <c>responses5xx_other_than503</c>.
/// </summary>
public sealed class ChaosReportTests
{
    [Fact]
    public void A_faults_figures_are_written_under_the_names_the_report_documents()
    {
        var result = new FaultResult
        {
            Fault = "postgres", EventsAcknowledged = 1, EventsStored = 2, Lost = 3, Duplicates = 4, StepsDue = 5, MessagesSent = 6,
            SentAfterCompleted = 7, SentToSuppressed = 8, Responses5xxOtherThan503 = 9, Responses503 = 10, Responses503WithoutRetryAfter = 11,
        };

        var json = JsonSerializer.SerializeToElement(result, ChaosReport.Json);

        var expected = new Dictionary<string, int>
        {
            ["events_acknowledged"] = 1, ["events_stored"] = 2, ["lost"] = 3, ["duplicates"] = 4, ["steps_due"] = 5, ["messages_sent"] = 6,
            ["sent_after_completed"] = 7, ["sent_to_suppressed"] = 8, ["responses_5xx_other_than_503"] = 9, ["responses_503"] = 10,
            ["responses_503_without_retry_after"] = 11,
        };
        foreach (var (name, value) in expected)
        {
            Assert.True(json.TryGetProperty(name, out var figure), $"no \"{name}\" in {json}");
            Assert.Equal(value, figure.GetInt32());
        }
    }
}
