using Microsoft.EntityFrameworkCore.Migrations;

namespace FlexyPe.Outbox;

/// <summary>The SQL side of <see cref="WakeUp"/>, for a service's migrations.</summary>
public static class WakeUpMigrations
{
    /// <summary>
    /// Makes every statement that <paramref name="events"/> (<c>INSERT</c>, or e.g. <c>INSERT OR UPDATE OF due_at</c>)
    /// <paramref name="table"/> send <c>NOTIFY &lt;table&gt;</c>. Postgres delivers it when the transaction commits
    /// (never for one that rolls back) and folds repeats within one transaction into one, so a statement of many rows
    /// costs one notification.
    /// </summary>
    public static void AddWakeUpTrigger(this MigrationBuilder migrationBuilder, string table, string events = "INSERT")
    {
        migrationBuilder.Sql("""
            CREATE OR REPLACE FUNCTION flexype_wake_up() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM pg_notify(TG_TABLE_NAME, '');
                RETURN NULL;
            END $$;
            """);
        migrationBuilder.Sql($"CREATE TRIGGER {table}_wake_up AFTER {events} ON {table} FOR EACH STATEMENT EXECUTE FUNCTION flexype_wake_up();");
    }

    public static void DropWakeUpTrigger(this MigrationBuilder migrationBuilder, string table)
        => migrationBuilder.Sql($"DROP TRIGGER IF EXISTS {table}_wake_up ON {table};");
}
