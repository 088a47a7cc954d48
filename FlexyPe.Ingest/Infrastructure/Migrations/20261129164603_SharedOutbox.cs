using System;
using FlexyPe.Outbox;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace FlexyPe.Ingest.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class SharedOutbox : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The shared outbox row (FlexyPe.Outbox), in place: every row, pending or delivered, keeps its id, attempts and
            // trace. The key is the JSON array HandOffKey.Of writes: [store_id,event_id].
            migrationBuilder.DropIndex(
                name: "ix_outbox_messages_store_id_event_id",
                table: "outbox_messages");
            migrationBuilder.Sql("""
                ALTER TABLE outbox_messages ADD COLUMN key text;
                UPDATE outbox_messages SET key = '[' || to_json(store_id)::text || ',' || to_json(event_id)::text || ']';
                ALTER TABLE outbox_messages ALTER COLUMN key SET NOT NULL;
                ALTER TABLE outbox_messages DROP COLUMN store_id, DROP COLUMN event_id;
                ALTER TABLE outbox_messages ALTER COLUMN payload DROP NOT NULL;
                ALTER TABLE outbox_messages ALTER COLUMN created_at SET DEFAULT now();
                ALTER TABLE outbox_messages ALTER COLUMN next_attempt_at SET DEFAULT now();
                ALTER TABLE outbox_messages ALTER COLUMN attempts SET DEFAULT 0;
                """);
            migrationBuilder.CreateIndex(
                name: "ix_outbox_messages_key",
                table: "outbox_messages",
                column: "key");
            migrationBuilder.AddWakeUpTrigger("outbox_messages");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropWakeUpTrigger("outbox_messages");
            migrationBuilder.DropIndex(
                name: "ix_outbox_messages_key",
                table: "outbox_messages");
            migrationBuilder.Sql("""
                ALTER TABLE outbox_messages ADD COLUMN store_id text, ADD COLUMN event_id text;
                UPDATE outbox_messages SET store_id = key::jsonb ->> 0, event_id = key::jsonb ->> 1;
                UPDATE outbox_messages o SET payload = e.normalized FROM events e
                    WHERE o.payload IS NULL AND e.store_id = o.store_id AND e.event_id = o.event_id;
                ALTER TABLE outbox_messages ALTER COLUMN store_id SET NOT NULL, ALTER COLUMN event_id SET NOT NULL,
                    ALTER COLUMN payload SET NOT NULL, ALTER COLUMN created_at DROP DEFAULT,
                    ALTER COLUMN next_attempt_at DROP DEFAULT, ALTER COLUMN attempts DROP DEFAULT;
                ALTER TABLE outbox_messages DROP COLUMN key;
                """);
            migrationBuilder.CreateIndex(
                name: "ix_outbox_messages_store_id_event_id",
                table: "outbox_messages",
                columns: new[] { "store_id", "event_id" });
        }
    }
}
