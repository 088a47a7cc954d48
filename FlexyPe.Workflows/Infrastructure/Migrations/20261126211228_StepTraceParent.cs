using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace FlexyPe.Workflows.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class StepTraceParent : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "trace_parent",
                table: "scheduled_steps",
                type: "text",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "trace_parent",
                table: "scheduled_steps");
        }
    }
}
