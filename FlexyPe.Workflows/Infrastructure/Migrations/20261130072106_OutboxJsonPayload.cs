using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace FlexyPe.Workflows.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class OutboxJsonPayload : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_outbox_messages_next_attempt_at",
                table: "outbox_messages");

            migrationBuilder.AlterColumn<string>(
                name: "payload",
                table: "outbox_messages",
                type: "json",
                nullable: true,
                oldClrType: typeof(string),
                oldType: "jsonb",
                oldNullable: true);

            // By SQL: the provider's own form of this statement leaves out its terminating semicolon in a script.
            migrationBuilder.Sql("ALTER TABLE outbox_messages ALTER COLUMN payload SET COMPRESSION lz4;");

            migrationBuilder.CreateIndex(
                name: "ix_outbox_messages_next_attempt_at_id",
                table: "outbox_messages",
                columns: new[] { "next_attempt_at", "id" },
                filter: "delivered_at IS NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_outbox_messages_next_attempt_at_id",
                table: "outbox_messages");

            migrationBuilder.AlterColumn<string>(
                name: "payload",
                table: "outbox_messages",
                type: "jsonb",
                nullable: true,
                oldClrType: typeof(string),
                oldType: "json",
                oldNullable: true);

            migrationBuilder.Sql("ALTER TABLE outbox_messages ALTER COLUMN payload SET COMPRESSION default;");

            migrationBuilder.CreateIndex(
                name: "ix_outbox_messages_next_attempt_at",
                table: "outbox_messages",
                column: "next_attempt_at",
                filter: "delivered_at IS NULL");
        }
    }
}
