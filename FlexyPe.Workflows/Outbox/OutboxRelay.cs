using System.Threading.Channels;

namespace FlexyPe.Workflows.Outbox;

/// <summary>The fast path: delivers message requests right after the transaction that wrote them commits. The sweep covers the rest.</summary>
public sealed class OutboxRelay(IServiceScopeFactory scopes, ILogger<OutboxRelay> logger) : BackgroundService
{
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
        await foreach (var id in pending.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<OutboxDelivery>().DeliverAsync(id, stoppingToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // The row stays pending; the sweep delivers it.
                logger.LogWarning(exception, "Relay could not deliver message request {OutboxId}", id);
            }
        }
    }
}
