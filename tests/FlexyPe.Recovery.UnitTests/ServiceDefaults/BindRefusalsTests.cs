using Microsoft.Extensions.Hosting;
using Npgsql;
using NpgsqlTypes;

namespace FlexyPe.Recovery.UnitTests.ServiceDefaults;

/// <summary>What Postgres would refuse while binding a command's values is refused before the command is sent, as Postgres would.</summary>
public sealed class BindRefusalsTests
{
    private static readonly string[] NulInArray = ["x", "\u0000"];

    [Theory]
    [InlineData("a\u0000b")]
    [InlineData("\u0000")]
    public void A_nul_in_a_text_or_in_a_text_array_is_refused_as_postgres_refuses_it(string text)
    {
        var single = Assert.Throws<PostgresException>(() => BindRefusals.Check(Command(new NpgsqlParameter("p", text))));
        Assert.Equal(PostgresErrorCodes.CharacterNotInRepertoire, single.SqlState);
        var array = Assert.Throws<PostgresException>(() => BindRefusals.Check(Command(new NpgsqlParameter("p", new[] { "fine", text }))));
        Assert.Equal(PostgresErrorCodes.CharacterNotInRepertoire, array.SqlState);
    }

    [Theory]
    [InlineData("""{"a":"\u0000"}""")]
    [InlineData("""{"a":"x\U0000"}""")]
    [InlineData("""{"a":"\\\u0000"}""")]
    public void A_nul_escape_in_a_jsonb_is_refused_as_postgres_refuses_it(string json)
    {
        var refused = Assert.Throws<PostgresException>(() => BindRefusals.Check(Command(new NpgsqlParameter("p", NpgsqlDbType.Jsonb) { Value = json })));
        Assert.Equal(PostgresErrorCodes.UntranslatableCharacter, refused.SqlState);
    }

    [Theory]
    [InlineData("""{"a":"\\u0000"}""", NpgsqlDbType.Jsonb)]
    [InlineData("""{"a":"\u0001 é 😀"}""", NpgsqlDbType.Jsonb)]
    [InlineData("""{"a":"\u0000"}""", NpgsqlDbType.Text)]
    public void What_postgres_binds_is_let_through(string value, NpgsqlDbType type)
    {
        // An escaped backslash before u0000 is text, not an escape; in a text column an escape is six characters.
        var command = Command(new NpgsqlParameter("p", type) { Value = value }, new NpgsqlParameter("n", 7), new NpgsqlParameter("b", new byte[] { 0 }));
        Assert.Null(BindRefusals.RefusalOf(command));
        command.Parameters.Add(new NpgsqlParameter("q", NulInArray));
        Assert.Equal(PostgresErrorCodes.CharacterNotInRepertoire, BindRefusals.RefusalOf(command));
    }

    private static NpgsqlCommand Command(params NpgsqlParameter[] parameters)
    {
        var command = new NpgsqlCommand("SELECT 1");
        command.Parameters.AddRange(parameters);
        return command;
    }
}
