using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace FlexyPe.Workflows.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "delivery_events",
                columns: table => new
                {
                    event_id = table.Column<string>(type: "text", nullable: false),
                    idempotency_key = table.Column<string>(type: "text", nullable: true),
                    store_id = table.Column<string>(type: "text", nullable: false),
                    email = table.Column<string>(type: "text", nullable: true),
                    type = table.Column<string>(type: "text", nullable: false),
                    occurred_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_delivery_events", x => x.event_id);
                });

            migrationBuilder.CreateTable(
                name: "enrollments",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    store_id = table.Column<string>(type: "text", nullable: false),
                    sequence_id = table.Column<Guid>(type: "uuid", nullable: false),
                    sequence_key = table.Column<string>(type: "text", nullable: false),
                    trigger = table.Column<string>(type: "text", nullable: false),
                    subject_key = table.Column<string>(type: "text", nullable: false),
                    shopper_email = table.Column<string>(type: "text", nullable: true),
                    shopper_phone = table.Column<string>(type: "text", nullable: true),
                    state = table.Column<string>(type: "text", nullable: false),
                    end_reason = table.Column<string>(type: "text", nullable: true),
                    session_state = table.Column<string>(type: "text", nullable: true),
                    context = table.Column<string>(type: "jsonb", nullable: false),
                    context_occurred_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    enrolled_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ended_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_enrollments", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "outbox",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    idempotency_key = table.Column<string>(type: "text", nullable: false),
                    payload = table.Column<string>(type: "jsonb", nullable: false),
                    trace_parent = table.Column<string>(type: "text", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    attempts = table.Column<int>(type: "integer", nullable: false),
                    next_attempt_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    delivered_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    last_error = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_outbox", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "received_events",
                columns: table => new
                {
                    store_id = table.Column<string>(type: "text", nullable: false),
                    event_id = table.Column<string>(type: "text", nullable: false),
                    type = table.Column<string>(type: "text", nullable: false),
                    shopper_email = table.Column<string>(type: "text", nullable: true),
                    occurred_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    received_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    payload = table.Column<string>(type: "jsonb", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_received_events", x => new { x.store_id, x.event_id });
                });

            migrationBuilder.CreateTable(
                name: "recoveries",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    store_id = table.Column<string>(type: "text", nullable: false),
                    checkout_key = table.Column<string>(type: "text", nullable: false),
                    enrollment_id = table.Column<Guid>(type: "uuid", nullable: false),
                    sequence_id = table.Column<Guid>(type: "uuid", nullable: false),
                    sequence_key = table.Column<string>(type: "text", nullable: false),
                    step_number = table.Column<int>(type: "integer", nullable: false),
                    revenue = table.Column<decimal>(type: "numeric(18,2)", precision: 18, scale: 2, nullable: false),
                    recovered_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_recoveries", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "sequences",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    key = table.Column<string>(type: "text", nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false),
                    is_current = table.Column<bool>(type: "boolean", nullable: false),
                    name = table.Column<string>(type: "text", nullable: false),
                    trigger = table.Column<string>(type: "text", nullable: false),
                    enabled = table.Column<bool>(type: "boolean", nullable: false),
                    exit_rules = table.Column<List<string>>(type: "text[]", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    created_by = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_sequences", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "store_settings",
                columns: table => new
                {
                    store_id = table.Column<string>(type: "text", nullable: false),
                    sender_name = table.Column<string>(type: "text", nullable: true),
                    sender_address = table.Column<string>(type: "text", nullable: true),
                    reply_to = table.Column<string>(type: "text", nullable: true),
                    time_zone = table.Column<string>(type: "text", nullable: true),
                    quiet_hours_enabled = table.Column<bool>(type: "boolean", nullable: true),
                    quiet_hours_start = table.Column<TimeOnly>(type: "time without time zone", nullable: true),
                    quiet_hours_end = table.Column<TimeOnly>(type: "time without time zone", nullable: true),
                    frequency_cap = table.Column<TimeSpan>(type: "interval", nullable: true),
                    attribution_window = table.Column<TimeSpan>(type: "interval", nullable: true),
                    logo_url = table.Column<string>(type: "text", nullable: true),
                    brand_colour = table.Column<string>(type: "text", nullable: true),
                    currency = table.Column<string>(type: "text", nullable: true),
                    locale = table.Column<string>(type: "text", nullable: true),
                    address_line = table.Column<string>(type: "text", nullable: true),
                    click_tracking = table.Column<bool>(type: "boolean", nullable: true),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_by = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_store_settings", x => x.store_id);
                });

            migrationBuilder.CreateTable(
                name: "stores",
                columns: table => new
                {
                    store_id = table.Column<string>(type: "text", nullable: false),
                    name = table.Column<string>(type: "text", nullable: true),
                    first_seen_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_stores", x => x.store_id);
                });

            migrationBuilder.CreateTable(
                name: "scheduled_steps",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    enrollment_id = table.Column<Guid>(type: "uuid", nullable: false),
                    step_number = table.Column<int>(type: "integer", nullable: false),
                    due_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    state = table.Column<string>(type: "text", nullable: false),
                    reason = table.Column<string>(type: "text", nullable: true),
                    idempotency_key = table.Column<string>(type: "text", nullable: false),
                    fired_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    fired_by = table.Column<string>(type: "text", nullable: true),
                    delivery_status = table.Column<string>(type: "text", nullable: true),
                    trace_parent = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_scheduled_steps", x => x.id);
                    table.ForeignKey(
                        name: "fk_scheduled_steps_enrollments_enrollment_id",
                        column: x => x.enrollment_id,
                        principalTable: "enrollments",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "sequence_steps",
                columns: table => new
                {
                    sequence_id = table.Column<Guid>(type: "uuid", nullable: false),
                    number = table.Column<int>(type: "integer", nullable: false),
                    delay = table.Column<TimeSpan>(type: "interval", nullable: false),
                    delay_from = table.Column<string>(type: "text", nullable: false),
                    subject = table.Column<string>(type: "text", nullable: false),
                    preview_text = table.Column<string>(type: "text", nullable: true),
                    template = table.Column<string>(type: "text", nullable: false),
                    discount_code = table.Column<string>(type: "text", nullable: true),
                    enabled = table.Column<bool>(type: "boolean", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_sequence_steps", x => new { x.sequence_id, x.number });
                    table.ForeignKey(
                        name: "fk_sequence_steps_sequences_sequence_id",
                        column: x => x.sequence_id,
                        principalTable: "sequences",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_delivery_events_store_id_email",
                table: "delivery_events",
                columns: new[] { "store_id", "email" });

            migrationBuilder.CreateIndex(
                name: "ix_enrollments_enrolled_at",
                table: "enrollments",
                column: "enrolled_at");

            migrationBuilder.CreateIndex(
                name: "ix_enrollments_shopper_phone",
                table: "enrollments",
                column: "shopper_phone");

            migrationBuilder.CreateIndex(
                name: "ix_enrollments_store_id_shopper_email",
                table: "enrollments",
                columns: new[] { "store_id", "shopper_email" });

            migrationBuilder.CreateIndex(
                name: "ix_enrollments_store_id_trigger_subject_key",
                table: "enrollments",
                columns: new[] { "store_id", "trigger", "subject_key" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_outbox_idempotency_key",
                table: "outbox",
                column: "idempotency_key",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_outbox_next_attempt_at",
                table: "outbox",
                column: "next_attempt_at",
                filter: "delivered_at IS NULL");

            migrationBuilder.CreateIndex(
                name: "ix_received_events_received_at",
                table: "received_events",
                column: "received_at");

            migrationBuilder.CreateIndex(
                name: "ix_received_events_store_id_shopper_email_type_occurred_at",
                table: "received_events",
                columns: new[] { "store_id", "shopper_email", "type", "occurred_at" });

            migrationBuilder.CreateIndex(
                name: "ix_recoveries_sequence_key",
                table: "recoveries",
                column: "sequence_key");

            migrationBuilder.CreateIndex(
                name: "ix_recoveries_store_id_checkout_key",
                table: "recoveries",
                columns: new[] { "store_id", "checkout_key" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_scheduled_steps_due_at",
                table: "scheduled_steps",
                column: "due_at",
                filter: "state = 'scheduled'");

            migrationBuilder.CreateIndex(
                name: "ix_scheduled_steps_enrollment_id_step_number",
                table: "scheduled_steps",
                columns: new[] { "enrollment_id", "step_number" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_scheduled_steps_idempotency_key",
                table: "scheduled_steps",
                column: "idempotency_key",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_sequences_key_version",
                table: "sequences",
                columns: new[] { "key", "version" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "delivery_events");

            migrationBuilder.DropTable(
                name: "outbox");

            migrationBuilder.DropTable(
                name: "received_events");

            migrationBuilder.DropTable(
                name: "recoveries");

            migrationBuilder.DropTable(
                name: "scheduled_steps");

            migrationBuilder.DropTable(
                name: "sequence_steps");

            migrationBuilder.DropTable(
                name: "store_settings");

            migrationBuilder.DropTable(
                name: "stores");

            migrationBuilder.DropTable(
                name: "enrollments");

            migrationBuilder.DropTable(
                name: "sequences");
        }
    }
}
