using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace FlexyPe.Workflows.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class AiAssistance : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<List<string>>(
                name: "banned_phrases",
                table: "store_settings",
                type: "text[]",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "brand_voice",
                table: "store_settings",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "daily_token_budget",
                table: "store_settings",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "exploration_share",
                table: "store_settings",
                type: "double precision",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "holdout_share",
                table: "store_settings",
                type: "double precision",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "language",
                table: "store_settings",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "margin_kept",
                table: "store_settings",
                type: "double precision",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "offer_cap",
                table: "store_settings",
                type: "double precision",
                nullable: true);

            migrationBuilder.AddColumn<decimal>(
                name: "discount_amount",
                table: "sequence_steps",
                type: "numeric(18,2)",
                precision: 18,
                scale: 2,
                nullable: true);

            migrationBuilder.AddColumn<decimal>(
                name: "discount_percent",
                table: "sequence_steps",
                type: "numeric(5,2)",
                precision: 5,
                scale: 2,
                nullable: true);

            migrationBuilder.AddColumn<decimal>(
                name: "decision_cart_value",
                table: "scheduled_steps",
                type: "numeric(18,2)",
                precision: 18,
                scale: 2,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "decision_reason",
                table: "scheduled_steps",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "decision_source",
                table: "scheduled_steps",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<decimal>(
                name: "discount_cost",
                table: "scheduled_steps",
                type: "numeric(18,2)",
                precision: 18,
                scale: 2,
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "discount_offered",
                table: "scheduled_steps",
                type: "boolean",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "model_version",
                table: "scheduled_steps",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "model_would_offer",
                table: "scheduled_steps",
                type: "boolean",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "p_with",
                table: "scheduled_steps",
                type: "double precision",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "p_without",
                table: "scheduled_steps",
                type: "double precision",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "variant_id",
                table: "scheduled_steps",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "discount_arm",
                table: "enrollments",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "features",
                table: "enrollments",
                type: "jsonb",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "held_out",
                table: "enrollments",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<decimal>(
                name: "purchase_revenue",
                table: "enrollments",
                type: "numeric(18,2)",
                precision: 18,
                scale: 2,
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "purchased_at",
                table: "enrollments",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "assistant_calls",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    store_id = table.Column<string>(type: "text", nullable: false),
                    sequence_key = table.Column<string>(type: "text", nullable: false),
                    step_number = table.Column<int>(type: "integer", nullable: false),
                    prompt_version = table.Column<string>(type: "text", nullable: false),
                    model = table.Column<string>(type: "text", nullable: true),
                    input_tokens = table.Column<long>(type: "bigint", nullable: false),
                    output_tokens = table.Column<long>(type: "bigint", nullable: false),
                    outcome = table.Column<string>(type: "text", nullable: false),
                    requested = table.Column<int>(type: "integer", nullable: false),
                    kept = table.Column<int>(type: "integer", nullable: false),
                    dropped_reasons = table.Column<List<string>>(type: "text[]", nullable: false),
                    at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    duration_ms = table.Column<double>(type: "double precision", nullable: false),
                    requested_by = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_assistant_calls", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "product_embeddings",
                columns: table => new
                {
                    content_hash = table.Column<string>(type: "text", nullable: false),
                    model = table.Column<string>(type: "text", nullable: false),
                    vector = table.Column<float[]>(type: "real[]", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_product_embeddings", x => x.content_hash);
                });

            migrationBuilder.CreateTable(
                name: "store_products",
                columns: table => new
                {
                    store_id = table.Column<string>(type: "text", nullable: false),
                    product_id = table.Column<string>(type: "text", nullable: false),
                    variant_id = table.Column<string>(type: "text", nullable: false),
                    title = table.Column<string>(type: "text", nullable: false),
                    variant_title = table.Column<string>(type: "text", nullable: true),
                    collection = table.Column<string>(type: "text", nullable: true),
                    image = table.Column<string>(type: "text", nullable: true),
                    handle = table.Column<string>(type: "text", nullable: true),
                    content_hash = table.Column<string>(type: "text", nullable: false),
                    last_seen_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_store_products", x => new { x.store_id, x.product_id, x.variant_id });
                });

            migrationBuilder.CreateTable(
                name: "uplift_models",
                columns: table => new
                {
                    store_id = table.Column<string>(type: "text", nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false),
                    trained_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    requested_by = table.Column<string>(type: "text", nullable: false),
                    trained_by = table.Column<string>(type: "text", nullable: true),
                    scheduled_fire_time = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    examples = table.Column<int>(type: "integer", nullable: false),
                    dropped_non_finite = table.Column<int>(type: "integer", nullable: false),
                    finished_enrollments = table.Column<int>(type: "integer", nullable: false),
                    training_size = table.Column<int>(type: "integer", nullable: false),
                    held_out_size = table.Column<int>(type: "integer", nullable: false),
                    recoveries_with_discount = table.Column<int>(type: "integer", nullable: false),
                    recoveries_without_discount = table.Column<int>(type: "integer", nullable: false),
                    held_out_auc = table.Column<double>(type: "double precision", nullable: true),
                    qini = table.Column<double>(type: "double precision", nullable: true),
                    training_seconds = table.Column<double>(type: "double precision", nullable: true),
                    bytes = table.Column<byte[]>(type: "bytea", nullable: true),
                    is_current = table.Column<bool>(type: "boolean", nullable: false),
                    promotion_reason = table.Column<string>(type: "text", nullable: true),
                    training_outcome = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_uplift_models", x => new { x.store_id, x.version });
                });

            migrationBuilder.CreateTable(
                name: "variant_stats",
                columns: table => new
                {
                    sequence_key = table.Column<string>(type: "text", nullable: false),
                    step_number = table.Column<int>(type: "integer", nullable: false),
                    variant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    sends = table.Column<long>(type: "bigint", nullable: false),
                    recoveries = table.Column<long>(type: "bigint", nullable: false),
                    revenue = table.Column<decimal>(type: "numeric(18,2)", precision: 18, scale: 2, nullable: false),
                    probability_best = table.Column<double>(type: "double precision", nullable: false),
                    probability_worse = table.Column<double>(type: "double precision", nullable: false),
                    state = table.Column<string>(type: "text", nullable: false),
                    stopped_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_variant_stats", x => new { x.sequence_key, x.step_number, x.variant_id });
                });

            migrationBuilder.CreateTable(
                name: "copy_variants",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    sequence_key = table.Column<string>(type: "text", nullable: false),
                    step_number = table.Column<int>(type: "integer", nullable: false),
                    subject = table.Column<string>(type: "text", nullable: false),
                    preview_text = table.Column<string>(type: "text", nullable: false),
                    opening = table.Column<string>(type: "text", nullable: false),
                    state = table.Column<string>(type: "text", nullable: false),
                    proposed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    assistant_call_id = table.Column<Guid>(type: "uuid", nullable: true),
                    store_id = table.Column<string>(type: "text", nullable: true),
                    decided_by = table.Column<string>(type: "text", nullable: true),
                    decided_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_copy_variants", x => x.id);
                    table.ForeignKey(
                        name: "fk_copy_variants_assistant_calls_assistant_call_id",
                        column: x => x.assistant_call_id,
                        principalTable: "assistant_calls",
                        principalColumn: "id");
                });

            migrationBuilder.CreateIndex(
                name: "ix_scheduled_steps_variant_id",
                table: "scheduled_steps",
                column: "variant_id",
                filter: "variant_id IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_enrollments_store_id_discount_arm",
                table: "enrollments",
                columns: new[] { "store_id", "discount_arm" });

            migrationBuilder.CreateIndex(
                name: "ix_assistant_calls_store_id_at",
                table: "assistant_calls",
                columns: new[] { "store_id", "at" });

            migrationBuilder.CreateIndex(
                name: "ix_copy_variants_assistant_call_id",
                table: "copy_variants",
                column: "assistant_call_id");

            migrationBuilder.CreateIndex(
                name: "ix_copy_variants_sequence_key_step_number_state",
                table: "copy_variants",
                columns: new[] { "sequence_key", "step_number", "state" });

            migrationBuilder.CreateIndex(
                name: "ix_store_products_content_hash",
                table: "store_products",
                column: "content_hash");

            migrationBuilder.CreateIndex(
                name: "ix_store_products_store_id_last_seen_at",
                table: "store_products",
                columns: new[] { "store_id", "last_seen_at" });

            migrationBuilder.CreateIndex(
                name: "ix_uplift_models_store_id",
                table: "uplift_models",
                column: "store_id",
                unique: true,
                filter: "is_current");

            // The seeded discount steps give 10% off (their codes say so): their cost can be weighed from the start.
            migrationBuilder.Sql("""
                UPDATE sequence_steps ss SET discount_percent = 10
                FROM sequences s
                WHERE s.id = ss.sequence_id AND s.created_by = 'seed' AND ss.discount_code IN ('COMEBACK10', 'WELCOME10')
                  AND ss.discount_percent IS NULL AND ss.discount_amount IS NULL
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "copy_variants");

            migrationBuilder.DropTable(
                name: "product_embeddings");

            migrationBuilder.DropTable(
                name: "store_products");

            migrationBuilder.DropTable(
                name: "uplift_models");

            migrationBuilder.DropTable(
                name: "variant_stats");

            migrationBuilder.DropTable(
                name: "assistant_calls");

            migrationBuilder.DropIndex(
                name: "ix_scheduled_steps_variant_id",
                table: "scheduled_steps");

            migrationBuilder.DropIndex(
                name: "ix_enrollments_store_id_discount_arm",
                table: "enrollments");

            migrationBuilder.DropColumn(
                name: "banned_phrases",
                table: "store_settings");

            migrationBuilder.DropColumn(
                name: "brand_voice",
                table: "store_settings");

            migrationBuilder.DropColumn(
                name: "daily_token_budget",
                table: "store_settings");

            migrationBuilder.DropColumn(
                name: "exploration_share",
                table: "store_settings");

            migrationBuilder.DropColumn(
                name: "holdout_share",
                table: "store_settings");

            migrationBuilder.DropColumn(
                name: "language",
                table: "store_settings");

            migrationBuilder.DropColumn(
                name: "margin_kept",
                table: "store_settings");

            migrationBuilder.DropColumn(
                name: "offer_cap",
                table: "store_settings");

            migrationBuilder.DropColumn(
                name: "discount_amount",
                table: "sequence_steps");

            migrationBuilder.DropColumn(
                name: "discount_percent",
                table: "sequence_steps");

            migrationBuilder.DropColumn(
                name: "decision_cart_value",
                table: "scheduled_steps");

            migrationBuilder.DropColumn(
                name: "decision_reason",
                table: "scheduled_steps");

            migrationBuilder.DropColumn(
                name: "decision_source",
                table: "scheduled_steps");

            migrationBuilder.DropColumn(
                name: "discount_cost",
                table: "scheduled_steps");

            migrationBuilder.DropColumn(
                name: "discount_offered",
                table: "scheduled_steps");

            migrationBuilder.DropColumn(
                name: "model_version",
                table: "scheduled_steps");

            migrationBuilder.DropColumn(
                name: "model_would_offer",
                table: "scheduled_steps");

            migrationBuilder.DropColumn(
                name: "p_with",
                table: "scheduled_steps");

            migrationBuilder.DropColumn(
                name: "p_without",
                table: "scheduled_steps");

            migrationBuilder.DropColumn(
                name: "variant_id",
                table: "scheduled_steps");

            migrationBuilder.DropColumn(
                name: "discount_arm",
                table: "enrollments");

            migrationBuilder.DropColumn(
                name: "features",
                table: "enrollments");

            migrationBuilder.DropColumn(
                name: "held_out",
                table: "enrollments");

            migrationBuilder.DropColumn(
                name: "purchase_revenue",
                table: "enrollments");

            migrationBuilder.DropColumn(
                name: "purchased_at",
                table: "enrollments");
        }
    }
}
