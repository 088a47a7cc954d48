using Npgsql;

namespace FlexyPe.Outbox;

/// <summary>
/// The relay's and the wake-up listener's own connections to the service's database: a small pool apart from the
/// service's, so a busy request path never starves the hand-offs (nor the other way round).
/// </summary>
public sealed class OutboxDatabase(NpgsqlDataSource dataSource) : IDisposable
{
    public NpgsqlDataSource DataSource { get; } = dataSource;

    public void Dispose() => DataSource.Dispose();
}
