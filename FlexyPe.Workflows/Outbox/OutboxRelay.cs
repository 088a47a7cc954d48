using System.Threading.Channels;

namespace FlexyPe.Workflows.Outbox;

/// <summary>
/// The fast path: delivers message requests right after the transaction that wrote them commits, several at once
/// (each row in its own transaction, so one slow or failing request holds up no other). The sweep covers the rest.
/// </summary>
public sealed class OutboxRelay(IServiceScopeFactory scopes, ILogger<OutboxRelay> logger) : BackgroundService
{
    private const int Concurrency = 8;
    private readonly Channel<Guid> pending = Channel.CreateUnbounded<Guid>();

    public void Enqueue(IEnumerable<Guid> ids)
    {
        foreach (var id in ids)
        {
            pending.Writer.TryWrite(id);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Concurrency, CancellationToken = stoppingToken };
        await Parallel.ForEachAsync(pending.Reader.ReadAllAsync(stoppingToken), parallel, async (id, ct) =>
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<OutboxDelivery>().DeliverAsync(id, ct);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // The row stays pending; the sweep delivers it.
                logger.LogWarning(exception, "Relay could not deliver message request {OutboxId}", id);
            }
        });
    }
}
