using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace FlexyPe.Notifier.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class MessageRequestsCreatedAtIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "ix_message_requests_created_at",
                table: "message_requests",
                column: "created_at");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_message_requests_created_at",
                table: "message_requests");
        }
    }
}
