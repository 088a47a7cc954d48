using System.Text.Json;
using FlexyPe.Notifier.DeliveryEvents;
using FlexyPe.Notifier.Model;
using FlexyPe.Outbox;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace FlexyPe.Notifier.Infrastructure;

/// <summary>The Notifier service's own database, <c>notifierdb</c>.</summary>
public sealed class NotifierDbContext(DbContextOptions<NotifierDbContext> options) : DbContext(options), IDataProtectionKeyContext
{
    public DbSet<MessageRequest> MessageRequests => Set<MessageRequest>();
    public DbSet<DeliveryAttempt> DeliveryAttempts => Set<DeliveryAttempt>();
    public DbSet<Suppression> Suppressions => Set<Suppression>();
    public DbSet<OutboxMessage> OutboxMessages => Set<OutboxMessage>();

    /// <summary>Data Protection keys (they sign unsubscribe links), shared by every Notifier replica.</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<MessageRequest>(request =>
        {
            request.HasIndex(r => r.IdempotencyKey).IsUnique();
            // The claim query: pending rows, oldest due first.
            request.HasIndex(r => new { r.Status, r.NextAttemptAt });
            request.HasIndex(r => r.To);
            // The console's deliveries list, newest first: without it every page load reads the whole table, bodies and all.
            request.HasIndex(r => r.CreatedAt);
            request.Property(r => r.Tags)
                .HasConversion(
                    tags => JsonSerializer.Serialize(tags, JsonSerializerOptions.Default),
                    json => JsonSerializer.Deserialize<Dictionary<string, string>>(json, JsonSerializerOptions.Default) ?? new Dictionary<string, string>(),
                    new ValueComparer<Dictionary<string, string>>(
                        (a, b) => a!.Count == b!.Count && !a.Except(b).Any(),
                        tags => tags.Aggregate(0, (hash, pair) => HashCode.Combine(hash, pair.Key, pair.Value)),
                        tags => new Dictionary<string, string>(tags)))
                .HasColumnType("jsonb");
            // Rows from before click tracking have no tracked links.
            request.Property(r => r.TrackedLinks).HasDefaultValueSql("'{}'::text[]");
            request.HasMany(r => r.Attempts).WithOne().HasForeignKey(a => a.MessageRequestId);
        });

        modelBuilder.Entity<DeliveryAttempt>().HasIndex(a => a.MessageRequestId);

        modelBuilder.Entity<Suppression>().HasKey(s => new { s.StoreId, s.Email });

        // Delivery events for Workflows, keyed on the event id.
        modelBuilder.UseOutbox();
    }
}
