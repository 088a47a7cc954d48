using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace FlexyPe.Workflows.Infrastructure.Migrations
{
    /// <summary>
    /// Completed checkouts by store and checkout key, for "did this anonymous checkout complete since?" (event intake,
    /// <c>PurchaseExit.PurchasedSinceAsync</c>). Without it the question read every anonymous abandoned checkout of the
    /// store since the event happened, a number that grows with the store's traffic and with any backlog being caught
    /// up on. Partial: only completed checkouts are in it. An expression index, which EF's model cannot describe, so
    /// it is written here only; the query's type and state are literals, so every plan of it can use the index.
    /// </summary>
    public partial class CompletedCheckoutsByKey : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE INDEX ix_received_events_completed_checkout_key
                    ON received_events (store_id, ((payload -> 'checkout') ->> 'key'))
                    WHERE type = 'abandoned_checkout' AND ((payload -> 'checkout') ->> 'session_state') = 'COMPLETED'
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP INDEX ix_received_events_completed_checkout_key");
        }
    }
}
