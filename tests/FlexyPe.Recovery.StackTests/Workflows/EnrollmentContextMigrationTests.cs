using FlexyPe.Workflows.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace FlexyPe.Recovery.StackTests.Workflows;

/// <summary>
/// An installation upgraded to enrollments that name the event they render (migration EnrollmentContextByEvent) keeps
/// rendering what it rendered: each enrollment's copy of an event's JSON becomes a reference to that event, and going
/// back down restores the copies. Run on a database of its own in the stack's Postgres, migrated as Workflows migrates.
/// </summary>
[Collection(WorkflowsStackCollection.Name)]
public sealed class EnrollmentContextMigrationTests(WorkflowsStack stack)
{
    private const string Before = "20261202124054_RecoveriesByEnrollment";
    private const string After = "20261202154347_EnrollmentContextByEvent";

    [Fact]
    public async Task Each_enrollments_copy_of_its_event_becomes_a_reference_to_it_and_down_restores_the_copy()
    {
        var database = await NewDatabaseAsync();
        using var services = WorkflowsServices(database);
        using var scope = services.CreateScope();
        var migrator = scope.ServiceProvider.GetRequiredService<WorkflowsDbContext>().GetService<IMigrator>();
        await migrator.MigrateAsync(Before);

        // Two deliveries of one checkout (the enrollment renders the later), and an enrollment whose JSON matches no
        // stored event, as a hand-edited row might.
        const string first = """{"event_id": "evt-1", "cart": [{"title": "Linen Shirt"}]}""";
        const string second = """{"event_id": "evt-2", "cart": [{"title": "Linen Shirt"}, {"title": "Clay Mug"}]}""";
        const string orphan = """{"event_id": "evt-gone", "cart": [{"title": "Wool Scarf"}]}""";
        await ExecuteAsync(database, $"""
            INSERT INTO sequences (id, key, version, name, trigger, enabled, is_current, exit_rules, created_at)
            VALUES ('00000000-0000-0000-0000-000000000001', 'abandoned-checkout', 1, 'Checkout', 'abandoned_checkout', true, true, ARRAY[]::text[], now());
            INSERT INTO received_events (store_id, event_id, type, occurred_at, received_at, payload) VALUES
                ('store-a', 'evt-1', 'abandoned_checkout', now(), now(), '{first}'),
                ('store-a', 'evt-2', 'abandoned_checkout', now(), now(), '{second}');
            INSERT INTO enrollments (id, store_id, sequence_id, sequence_key, trigger, subject_key, state, context, context_occurred_at, enrolled_at, held_out)
            VALUES ('00000000-0000-0000-0000-00000000000a', 'store-a', '00000000-0000-0000-0000-000000000001', 'abandoned-checkout',
                    'abandoned_checkout', 'checkout-1', 'active', '{second}', now(), now(), false),
                   ('00000000-0000-0000-0000-00000000000b', 'store-a', '00000000-0000-0000-0000-000000000001', 'abandoned-checkout',
                    'abandoned_checkout', 'checkout-2', 'active', '{orphan}', now(), now(), false);
            """);

        await migrator.MigrateAsync(After);

        // What the templates read after the upgrade: the event each enrollment names, its cart's last line.
        Assert.Equal(
            ["checkout-1|evt-2|Clay Mug", "checkout-2|enrollment-context:00000000-0000-0000-0000-00000000000b|Wool Scarf"],
            await LinesAsync(database, """
                SELECT e.subject_key, e.context_event_id, r.payload -> 'cart' -> -1 ->> 'title' FROM enrollments e
                JOIN received_events r ON r.store_id = e.store_id AND r.event_id = e.context_event_id ORDER BY e.subject_key
                """));
        Assert.Empty(await LinesAsync(database,
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'enrollments' AND column_name = 'context'"));

        await migrator.MigrateAsync(Before);

        Assert.Equal(["checkout-1|Clay Mug", "checkout-2|Wool Scarf"],
            await LinesAsync(database, "SELECT subject_key, context -> 'cart' -> -1 ->> 'title' FROM enrollments ORDER BY subject_key"));
        Assert.Equal(["evt-1", "evt-2"], await LinesAsync(database, "SELECT event_id FROM received_events ORDER BY event_id"));
    }

    private async Task<string> NewDatabaseAsync()
    {
        var connectionString = await stack.App.GetConnectionStringAsync("workflowsdb");
        var name = $"workflows_migration_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await create.ExecuteNonQueryAsync();
        }
        return new NpgsqlConnectionStringBuilder(connectionString) { Database = name }.ConnectionString;
    }

    /// <summary>Workflows' services as it registers them, on <paramref name="database"/>; nothing is started.</summary>
    private static ServiceProvider WorkflowsServices(string database)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration["ConnectionStrings:workflowsdb"] = database;
        builder.Configuration["ConnectionStrings:redis"] = "127.0.0.1:1";
        FlexyPe.Workflows.Extensions.Extensions.AddApplicationServices(builder);
        return builder.Services.BuildServiceProvider();
    }

    private static async Task ExecuteAsync(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Each row of a query as its values joined by '|'.</summary>
    private static async Task<List<string>> LinesAsync(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var lines = new List<string>();
        while (await reader.ReadAsync())
        {
            lines.Add(string.Join('|', Enumerable.Range(0, reader.FieldCount).Select(i => reader.GetValue(i))));
        }
        return lines;
    }
}
