using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace FlexyPe.Notifier.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class MessageRequestsClaimedAt : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "claimed_at",
                table: "message_requests",
                type: "timestamp with time zone",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "claimed_at",
                table: "message_requests");
        }
    }
}
