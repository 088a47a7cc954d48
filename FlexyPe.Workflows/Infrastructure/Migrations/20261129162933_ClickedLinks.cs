using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace FlexyPe.Workflows.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class ClickedLinks : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "link_index",
                table: "delivery_events",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "url",
                table: "delivery_events",
                type: "text",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "ix_delivery_events_idempotency_key",
                table: "delivery_events",
                column: "idempotency_key");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_delivery_events_idempotency_key",
                table: "delivery_events");

            migrationBuilder.DropColumn(
                name: "link_index",
                table: "delivery_events");

            migrationBuilder.DropColumn(
                name: "url",
                table: "delivery_events");
        }
    }
}
