using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace FlexyPe.Outbox;

/// <summary>Maps <see cref="OutboxMessage"/> into a service's DbContext, as eShop's <c>UseIntegrationEventLogs</c> does.</summary>
public static class OutboxModel
{
    public const string Table = "outbox_messages";

    /// <summary>
    /// Adds the <c>outbox_messages</c> table. Column names are fixed here, whatever the context's naming convention,
    /// because the relay reads and updates them in SQL. Returns the entity so a service can add to it (a unique key).
    /// </summary>
    public static EntityTypeBuilder<OutboxMessage> UseOutbox(this ModelBuilder modelBuilder)
    {
        var outbox = modelBuilder.Entity<OutboxMessage>();
        outbox.ToTable(Table);
        outbox.Property(m => m.Id).HasColumnName("id");
        outbox.Property(m => m.Key).HasColumnName("key");
        // json, not jsonb: the relay sends the text as it was written and never looks inside, so parsing it into jsonb
        // on the way in and printing it back on the way out was pure cost (bench/README, "The outbox's payload").
        // lz4: a rendered email is tens of KB, which Postgres compresses on insert and expands on every read.
        outbox.Property(m => m.Payload).HasColumnName("payload").HasColumnType("json").UseCompressionMethod("lz4");
        outbox.Property(m => m.TraceParent).HasColumnName("trace_parent");
        outbox.Property(m => m.OrderingKey).HasColumnName("ordering_key");
        // The database's clock for every time the relay compares: writers on other machines may be a little off.
        outbox.Property(m => m.CreatedAt).HasColumnName("created_at").HasDefaultValueSql("now()");
        outbox.Property(m => m.Attempts).HasColumnName("attempts").HasDefaultValue(0);
        outbox.Property(m => m.NextAttemptAt).HasColumnName("next_attempt_at").HasDefaultValueSql("now()");
        outbox.Property(m => m.DeliveredAt).HasColumnName("delivered_at");
        outbox.Property(m => m.LastError).HasColumnName("last_error");
        // The relay's work list: undelivered rows in the relay's order (due time, then id), so a claim reads just the
        // rows it takes; by due time alone, it read and sorted every row written in the same transaction as the first.
        outbox.HasIndex(m => new { m.NextAttemptAt, m.Id }).HasFilter("delivered_at IS NULL");
        outbox.HasIndex(m => m.Key);
        return outbox;
    }
}
