using System.Collections;
using System.Data.Common;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Npgsql;
using NpgsqlTypes;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Refuses, before it is sent, a command with a value Postgres would refuse while binding it: a NUL character in a text
/// (SQLSTATE 22021), or a <c>\u0000</c> escape in a jsonb (22P05). It throws the <see cref="PostgresException"/> the
/// database would have answered, so everything that handles a refusal (<see cref="StorageRefusals"/>: a 400 problem;
/// Workflows' batches: the event answered invalid) does as before. What changes is that the connection never sees the
/// command: with automatic preparation (<see cref="PreparedStatements"/>), a statement refused while binding on the run
/// that prepares it stays broken on its connection, and each later run of it there that returns rows fails with
/// "Received unexpected backend message DataRow" (npgsql/npgsql#6391, open in Npgsql 10.0.3).
/// </summary>
public sealed partial class BindRefusals : DbCommandInterceptor
{
    public static readonly BindRefusals Instance = new();

    private BindRefusals()
    {
    }

    public override InterceptionResult<DbDataReader> ReaderExecuting(
        DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
        => Checked(command, result);

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        => ValueTask.FromResult(Checked(command, result));

    public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
        => Checked(command, result);

    public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        => ValueTask.FromResult(Checked(command, result));

    public override InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result)
        => Checked(command, result);

    public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default)
        => ValueTask.FromResult(Checked(command, result));

    /// <summary>Throws what Postgres would answer if a parameter of <paramref name="command"/> cannot be bound.</summary>
    public static void Check(DbCommand command)
    {
        switch (RefusalOf(command))
        {
            case PostgresErrorCodes.CharacterNotInRepertoire:
                throw new PostgresException(
                    "invalid byte sequence for encoding \"UTF8\": 0x00", "ERROR", "ERROR", PostgresErrorCodes.CharacterNotInRepertoire);
            case PostgresErrorCodes.UntranslatableCharacter:
                throw new PostgresException("unsupported Unicode escape sequence", "ERROR", "ERROR", PostgresErrorCodes.UntranslatableCharacter);
        }
    }

    /// <summary>The SQLSTATE Postgres would refuse a parameter of <paramref name="command"/> with while binding it; null when none.</summary>
    public static string? RefusalOf(DbCommand command)
    {
        foreach (DbParameter parameter in command.Parameters)
        {
            var jsonb = parameter is NpgsqlParameter { NpgsqlDbType: var type } && (type & ~NpgsqlDbType.Array) == NpgsqlDbType.Jsonb;
            var texts = parameter.Value switch
            {
                string text => [text],
                IEnumerable values and not byte[] => values.OfType<string>(),
                _ => [],
            };
            foreach (var text in texts)
            {
                if (text.Contains('\0', StringComparison.Ordinal))
                {
                    return PostgresErrorCodes.CharacterNotInRepertoire;
                }
                if (jsonb && NulEscape().IsMatch(text))
                {
                    return PostgresErrorCodes.UntranslatableCharacter;
                }
            }
        }
        return null;
    }

    private static InterceptionResult<T> Checked<T>(DbCommand command, InterceptionResult<T> result)
    {
        Check(command);
        return result;
    }

    /// <summary>A <c>\u0000</c> escape: its backslash not itself escaped (<c>\\u0000</c> is a backslash and the text u0000).</summary>
    [GeneratedRegex(@"(?<!\\)(?:\\\\)*\\u0000", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex NulEscape();
}
