using System.Net;
using static FlexyPe.Recovery.StackTests.Workflows.WorkflowsApi;

namespace FlexyPe.Recovery.StackTests.Workflows;

/// <summary>
/// A step whose message Postgres will not store (a template that writes a NUL character through <c>raw</c>) is skipped
/// on its own; the steps claimed in the same batch are sent, instead of the batch failing on every claim for ever.
/// </summary>
[Collection(WorkflowsStackCollection.Name)]
public sealed class FiringIsolationTests(WorkflowsStack stack) : IDisposable
{
    private readonly WorkflowsApi api = new(stack);
    private readonly NormalizedEvents events = new();

    [Fact]
    public async Task A_step_that_cannot_be_saved_is_skipped_alone_and_the_rest_of_its_batch_is_sent()
    {
        // First by key among welcome sequences, so it takes this test's new customers; disabled again at the end.
        const string key = "aaa-unsavable-welcome";
        Assert.Equal(HttpStatusCode.Created, await api.CreateSequenceAsync(key, "Unsavable welcome", "new_customer",
            ("00:00:00", "Hello", "<p>{{ '%00' | url_decode | raw }}</p>"), ("00:00:00", "Welcome", "<p>Welcome</p>")));
        try
        {
            for (var i = 0; i < 5; i++)
            {
                await api.PostEventAsync(events.NewCustomer(NormalizedEvents.NewEmail()));
            }

            var enrollments = await api.EnrollmentsAsync(events.StoreId, key);
            Assert.Equal(5, enrollments.Count);
            foreach (var enrollment in enrollments)
            {
                var timeline = await api.WaitForAsync((string)enrollment["id"]!, t => Steps(t).All(s => State(s) != "scheduled"));
                var steps = Steps(timeline).OrderBy(s => (int)s["number"]!).ToList();
                Assert.Equal("skipped", State(steps[0]));
                Assert.StartsWith("could not be saved", (string)steps[0]["reason"]!, StringComparison.Ordinal);
                Assert.Equal("sent", State(steps[1]));
            }
        }
        finally
        {
            await api.Http.DeleteAsync($"/api/sequences/{key}");
        }
    }

    public void Dispose() => api.Dispose();
}
