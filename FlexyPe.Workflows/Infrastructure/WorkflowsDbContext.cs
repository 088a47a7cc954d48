using FlexyPe.Outbox;
using FlexyPe.Workflows.Model;
using Microsoft.EntityFrameworkCore;

namespace FlexyPe.Workflows.Infrastructure;

/// <summary>The Workflows service's own database, <c>workflowsdb</c>. Quartz keeps its tables (qrtz_*) beside these.</summary>
public sealed class WorkflowsDbContext(DbContextOptions<WorkflowsDbContext> options) : DbContext(options)
{
    public DbSet<Sequence> Sequences => Set<Sequence>();
    public DbSet<SequenceStep> SequenceSteps => Set<SequenceStep>();
    public DbSet<Enrollment> Enrollments => Set<Enrollment>();
    public DbSet<ScheduledStep> ScheduledSteps => Set<ScheduledStep>();
    public DbSet<ReceivedEvent> ReceivedEvents => Set<ReceivedEvent>();
    public DbSet<DeliveryEvent> DeliveryEvents => Set<DeliveryEvent>();
    public DbSet<OutboxMessage> Outbox => Set<OutboxMessage>();
    public DbSet<Recovery> Recoveries => Set<Recovery>();
    public DbSet<Store> Stores => Set<Store>();
    public DbSet<StoreSettings> StoreSettings => Set<StoreSettings>();
    public DbSet<UpliftModelVersion> UpliftModels => Set<UpliftModelVersion>();
    public DbSet<AssistantCall> AssistantCalls => Set<AssistantCall>();
    public DbSet<StepCopyVariant> CopyVariants => Set<StepCopyVariant>();
    public DbSet<StepVariantStats> VariantStats => Set<StepVariantStats>();
    public DbSet<StoreProduct> StoreProducts => Set<StoreProduct>();
    public DbSet<ProductEmbedding> ProductEmbeddings => Set<ProductEmbedding>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Sequence>(sequence =>
        {
            sequence.HasIndex(s => new { s.Key, s.Version }).IsUnique();
            sequence.HasMany(s => s.Steps).WithOne().HasForeignKey(s => s.SequenceId);
        });
        modelBuilder.Entity<SequenceStep>(step =>
        {
            step.HasKey(s => new { s.SequenceId, s.Number });
            step.Property(s => s.DiscountPercent).HasPrecision(5, 2);
            step.Property(s => s.DiscountAmount).HasPrecision(18, 2);
        });

        modelBuilder.Entity<Enrollment>(enrollment =>
        {
            enrollment.HasIndex(e => new { e.StoreId, e.Trigger, e.SubjectKey }).IsUnique();
            // A shopper's enrollments of a trigger, in a state: intake's "already in a checkout sequence?" and firing's
            // frequency cap. Without trigger and state in it the planner could prefer the unique index above and read
            // every checkout enrollment of the store, filtering by email.
            // No index but the unique one above starts with the store. Intake finds a checkout's enrollment by store,
            // trigger and key, its most frequent query; with a young table's statistics (a new deployment catching up)
            // the planner costs any store-led index as well as the unique one, and took this one or the arm index below,
            // reading every enrollment of the store: 394 and 644 us a lookup instead of 56 (bench/README.md).
            enrollment.HasIndex(e => new { e.ShopperEmail, e.StoreId, e.Trigger, e.State });
            enrollment.HasIndex(e => e.ShopperPhone);
            // The console's lists: newest first.
            enrollment.HasIndex(e => e.EnrolledAt);
            enrollment.Property(e => e.Features).HasColumnType("jsonb");
            enrollment.Property(e => e.PurchaseRevenue).HasPrecision(18, 2);
            // The uplift model's training set and the holdout report: a store's enrollments by arm and outcome (arm first:
            // see the shopper index above).
            enrollment.HasIndex(e => new { e.DiscountArm, e.StoreId });
            enrollment.HasMany(e => e.Steps).WithOne().HasForeignKey(s => s.EnrollmentId);
        });

        modelBuilder.Entity<ScheduledStep>(step =>
        {
            step.HasIndex(s => s.IdempotencyKey).IsUnique();
            step.HasIndex(s => new { s.EnrollmentId, s.StepNumber }).IsUnique();
            // The claim reads only what is still to run, in due order.
            step.HasIndex(s => s.DueAt).HasFilter("state = 'scheduled'");
            step.Property(s => s.DecisionCartValue).HasPrecision(18, 2);
            step.Property(s => s.DiscountCost).HasPrecision(18, 2);
            // The variant tests' roll-up reads the steps that sent a variant.
            step.HasIndex(s => s.VariantId).HasFilter("variant_id IS NOT NULL");
        });

        modelBuilder.Entity<ReceivedEvent>(received =>
        {
            received.HasKey(e => new { e.StoreId, e.EventId });
            received.HasIndex(e => new { e.StoreId, e.ShopperEmail, e.Type, e.OccurredAt });
            received.HasIndex(e => e.ReceivedAt);
            received.Property(e => e.Payload).HasColumnType("jsonb");
        });

        modelBuilder.Entity<DeliveryEvent>(delivery =>
        {
            delivery.HasKey(e => e.EventId);
            delivery.HasIndex(e => new { e.StoreId, e.Email });
            // A step's events (its clicks on the enrollment timeline, the stats' joins).
            delivery.HasIndex(e => e.IdempotencyKey);
        });

        // Message requests for Notifier, keyed on the idempotency key: a step that produced its request never produces another.
        modelBuilder.UseOutbox().HasIndex(m => m.Key).IsUnique();

        modelBuilder.Entity<Store>().HasKey(s => s.StoreId);
        modelBuilder.Entity<StoreSettings>().HasKey(s => s.StoreId);

        modelBuilder.Entity<UpliftModelVersion>(model =>
        {
            model.HasKey(m => new { m.StoreId, m.Version });
            // One current model per store, whatever two trainings do at once.
            model.HasIndex(m => m.StoreId).IsUnique().HasFilter("is_current");
        });

        modelBuilder.Entity<AssistantCall>().HasIndex(c => new { c.StoreId, c.At });

        modelBuilder.Entity<StepCopyVariant>(variant =>
        {
            variant.HasIndex(v => new { v.SequenceKey, v.StepNumber, v.State });
            variant.HasOne<AssistantCall>().WithMany().HasForeignKey(v => v.AssistantCallId);
        });

        modelBuilder.Entity<StepVariantStats>(stats =>
        {
            stats.HasKey(s => new { s.SequenceKey, s.StepNumber, s.VariantId });
            stats.Property(s => s.Revenue).HasPrecision(18, 2);
        });

        modelBuilder.Entity<StoreProduct>(product =>
        {
            product.HasKey(p => new { p.StoreId, p.ProductId, p.VariantId });
            // The candidates of a store, most recently seen first.
            product.HasIndex(p => new { p.StoreId, p.LastSeenAt });
            product.HasIndex(p => p.ContentHash);
        });

        modelBuilder.Entity<ProductEmbedding>().HasKey(e => e.ContentHash);

        modelBuilder.Entity<Recovery>(recovery =>
        {
            recovery.HasIndex(r => new { r.StoreId, r.CheckoutKey }).IsUnique();
            recovery.HasIndex(r => r.SequenceKey);
            // A shopper's history (read for every discount decision), a variant's roll-up and an enrollment's page all reach
            // recoveries through their enrollment: without this, each of them reads the whole table.
            recovery.HasIndex(r => new { r.EnrollmentId, r.StepNumber });
            recovery.Property(r => r.Revenue).HasPrecision(18, 2);
        });
    }
}
