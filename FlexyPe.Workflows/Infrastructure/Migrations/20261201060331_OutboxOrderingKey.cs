using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace FlexyPe.Workflows.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class OutboxOrderingKey : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "ordering_key",
                table: "outbox_messages",
                type: "text",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "ordering_key",
                table: "outbox_messages");
        }
    }
}
