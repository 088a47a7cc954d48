using System.Net;
using FlexyPe.Recovery.StackTests.Ingest;

namespace FlexyPe.Recovery.StackTests.Stack;

/// <summary>In local-process mode Postgres keeps its data in the data folder, so what was stored survives a restart.</summary>
[Collection(Name)]
public sealed class PersistenceTests
{
    /// <summary>
    /// Run alone, after the collections that run side by side: two whole stacks started and stopped in this test
    /// process are the heaviest thing the suite does. Both CI failures of Notifier-process tests (a connection closed
    /// without an answer; two accepted messages not sent within a minute) came while it started its first stack; not
    /// reproduced here in four attempts, so this keeps it from overlapping anything rather than fixing a known cause.
    /// </summary>
    public const string Name = "Whole stack restarted";

    [Fact]
    public async Task What_was_stored_is_still_there_after_the_whole_stack_restarts_on_the_same_data_folder()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), $"flexype-persist-{Guid.NewGuid():N}");
        var eventId = IngestClient.NewEventId();
        try
        {
            var first = new RecoveryStack(dataDirectory, ownsDataDirectory: false);
            await first.InitializeAsync();
            try
            {
                using var ingest = new IngestClient(first);
                using var response = await ingest.DeliverAsync(IngestClient.AcrBody(eventId), eventId);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }
            finally
            {
                await first.DisposeAsync();
            }

            var second = new RecoveryStack(dataDirectory, ownsDataDirectory: true);
            await second.InitializeAsync();
            try
            {
                using var ingest = new IngestClient(second);
                var stored = await ingest.GetEventAsync(eventId);
                Assert.NotNull(stored);
                Assert.Equal("abandoned_checkout", stored.Value.GetProperty("normalized").At("type"));
            }
            finally
            {
                await second.DisposeAsync();
            }
        }
        finally
        {
            if (Directory.Exists(dataDirectory))
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
        }
    }
}

[CollectionDefinition(PersistenceTests.Name, DisableParallelization = true)]
public sealed class WholeStackRestartedCollection;
