using FlexyPe.Ingest.Model;
using FlexyPe.Outbox;
using Microsoft.EntityFrameworkCore;

namespace FlexyPe.Ingest.Infrastructure;

/// <summary>The Ingest service's own database, <c>ingestdb</c>: every event received, every rejected delivery, the outbox.</summary>
public sealed class IngestDbContext(DbContextOptions<IngestDbContext> options) : DbContext(options)
{
    public DbSet<StoredEvent> Events => Set<StoredEvent>();
    public DbSet<RejectedDelivery> RejectedDeliveries => Set<RejectedDelivery>();
    public DbSet<OutboxMessage> OutboxMessages => Set<OutboxMessage>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<StoredEvent>(e =>
        {
            e.ToTable("events");
            // The dedupe truth: one row per event id per store, whatever Redis says.
            e.HasIndex(x => new { x.StoreId, x.EventId }).IsUnique();
            e.HasIndex(x => x.Type);
            e.HasIndex(x => x.Email);
            e.HasIndex(x => x.CheckoutKey);
            e.HasIndex(x => x.ReceivedAt);
            // Text, not jsonb: Ingest has parsed each of them already (the body is refused unless it is a UTF-8 JSON
            // object; the other two are our own serializer's), nothing queries inside them, and Postgres parsing them
            // again cost more than the rest of the row (bench/README, "The event's JSON is parsed once"). Text also
            // keeps the body as it was sent: jsonb reorders keys and drops repeated ones.
        });

        modelBuilder.Entity<RejectedDelivery>(e =>
        {
            e.ToTable("rejected_deliveries");
            e.HasIndex(x => x.ReceivedAt);
            e.Property(x => x.Headers).HasColumnType("jsonb");
        });

        // Each row hands one event to Workflows; its key is the event's store and id (not unique: an operator may replay).
        modelBuilder.UseOutbox();
    }
}
