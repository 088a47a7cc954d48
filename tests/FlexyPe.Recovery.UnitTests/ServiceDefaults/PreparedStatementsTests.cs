using FlexyPe.Recovery.UnitTests.Security;
using FlexyPe.Workflows;
using FlexyPe.Workflows.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace FlexyPe.Recovery.UnitTests.ServiceDefaults;

/// <summary>Npgsql's automatic preparation: on for Workflows' database, and never over what an operator configured.</summary>
public sealed class PreparedStatementsTests
{
    [Fact]
    public void Workflows_connects_to_its_database_with_statements_prepared_automatically()
    {
        using var host = new ServiceHost<WorkflowsOptions>();
        using var scope = host.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<WorkflowsDbContext>();

        var settings = new NpgsqlConnectionStringBuilder(db.Database.GetConnectionString());
        Assert.Equal(PreparedStatements.MaxAutoPrepare, settings.MaxAutoPrepare);
        Assert.Equal("127.0.0.1", settings.Host);
    }

    [Fact]
    public void A_connection_string_that_sets_its_own_preparation_keeps_it()
    {
        var kept = new NpgsqlConnectionStringBuilder(PreparedStatements.WithAutoPrepare("Host=db;Database=w;Max Auto Prepare=5"));
        Assert.Equal(5, kept.MaxAutoPrepare);
        Assert.Equal("db", kept.Host);

        var added = new NpgsqlConnectionStringBuilder(PreparedStatements.WithAutoPrepare("Host=db;Database=w"));
        Assert.Equal(PreparedStatements.MaxAutoPrepare, added.MaxAutoPrepare);
        Assert.Null(PreparedStatements.WithAutoPrepare(null));
    }
}
