using Npgsql;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Npgsql's automatic preparation: a statement a connection runs again and again (the same SQL text, as EF Core and our
/// own commands send it) is prepared on that connection, so Postgres parses and plans it once instead of on every run.
/// It changes no result, as long as no value Postgres refuses while binding it reaches a connection (<see cref="BindRefusals"/>
/// stops those before they are sent); a connection string that sets <c>Max Auto Prepare</c> itself keeps its own value.
/// </summary>
public static class PreparedStatements
{
    /// <summary>Statements kept prepared per physical connection (least recently used ones are let go).</summary>
    public const int MaxAutoPrepare = 64;

    /// <summary>The connection string with automatic preparation on, unless it already says otherwise.</summary>
    public static string? WithAutoPrepare(string? connectionString)
    {
        if (string.IsNullOrEmpty(connectionString))
        {
            return connectionString;
        }
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (builder.MaxAutoPrepare == 0)
        {
            builder.MaxAutoPrepare = MaxAutoPrepare;
        }
        return builder.ConnectionString;
    }
}
