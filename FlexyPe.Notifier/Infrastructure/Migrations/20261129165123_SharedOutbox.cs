using System;
using FlexyPe.Outbox;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace FlexyPe.Notifier.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class SharedOutbox : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The shared outbox row (FlexyPe.Outbox): the old table is set aside, the new one made, every row (pending or
            // delivered) carried over with its attempts and trace, keyed on its event id, in the order it was written.
            migrationBuilder.Sql("""
                ALTER TABLE outbox_messages RENAME TO outbox_messages_v1;
                ALTER TABLE outbox_messages_v1 RENAME CONSTRAINT pk_outbox_messages TO pk_outbox_messages_v1;
                ALTER INDEX ix_outbox_messages_next_attempt_at RENAME TO ix_outbox_messages_v1_next_attempt_at;
                """);
            migrationBuilder.CreateTable(
                name: "outbox_messages",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    key = table.Column<string>(type: "text", nullable: false),
                    payload = table.Column<string>(type: "jsonb", nullable: true),
                    trace_parent = table.Column<string>(type: "text", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false, defaultValueSql: "now()"),
                    attempts = table.Column<int>(type: "integer", nullable: false, defaultValue: 0),
                    next_attempt_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false, defaultValueSql: "now()"),
                    delivered_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    last_error = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_outbox_messages", x => x.id);
                });
            migrationBuilder.CreateIndex(
                name: "ix_outbox_messages_key",
                table: "outbox_messages",
                column: "key");
            migrationBuilder.CreateIndex(
                name: "ix_outbox_messages_next_attempt_at",
                table: "outbox_messages",
                column: "next_attempt_at",
                filter: "delivered_at IS NULL");
            migrationBuilder.Sql("""
                INSERT INTO outbox_messages (key, payload, trace_parent, created_at, attempts, next_attempt_at, delivered_at, last_error)
                SELECT id::text, payload, trace_parent, created_at, attempt_count, next_attempt_at, delivered_at, last_error
                FROM outbox_messages_v1 ORDER BY created_at, id;
                """);
            migrationBuilder.DropTable(
                name: "outbox_messages_v1");
            migrationBuilder.AddWakeUpTrigger("outbox_messages");
            // New requests wake the sending loops of every replica.
            migrationBuilder.AddWakeUpTrigger("message_requests");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropWakeUpTrigger("message_requests");
            migrationBuilder.Sql("""
                ALTER TABLE outbox_messages RENAME TO outbox_messages_v2;
                ALTER TABLE outbox_messages_v2 RENAME CONSTRAINT pk_outbox_messages TO pk_outbox_messages_v2;
                ALTER INDEX ix_outbox_messages_next_attempt_at RENAME TO ix_outbox_messages_v2_next_attempt_at;
                CREATE TABLE outbox_messages (
                    id uuid NOT NULL CONSTRAINT pk_outbox_messages PRIMARY KEY, type text NOT NULL, payload jsonb NOT NULL,
                    trace_parent text, created_at timestamp with time zone NOT NULL,
                    next_attempt_at timestamp with time zone NOT NULL, attempt_count integer NOT NULL,
                    delivered_at timestamp with time zone, last_error text);
                CREATE INDEX ix_outbox_messages_next_attempt_at ON outbox_messages (next_attempt_at) WHERE delivered_at IS NULL;
                INSERT INTO outbox_messages (id, type, payload, trace_parent, created_at, next_attempt_at, attempt_count, delivered_at, last_error)
                SELECT key::uuid, payload ->> 'type', payload, trace_parent, created_at, next_attempt_at, attempts, delivered_at, last_error
                FROM outbox_messages_v2;
                DROP TABLE outbox_messages_v2;
                """);
        }
    }
}
