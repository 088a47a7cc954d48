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
            e.Property(x => x.Raw).HasColumnType("jsonb");
            e.Property(x => x.Headers).HasColumnType("jsonb");
            e.Property(x => x.Normalized).HasColumnType("jsonb");
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
