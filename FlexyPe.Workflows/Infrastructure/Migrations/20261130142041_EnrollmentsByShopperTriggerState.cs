using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace FlexyPe.Workflows.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class EnrollmentsByShopperTriggerState : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_enrollments_store_id_shopper_email",
                table: "enrollments");

            migrationBuilder.CreateIndex(
                name: "ix_enrollments_store_id_shopper_email_trigger_state",
                table: "enrollments",
                columns: new[] { "store_id", "shopper_email", "trigger", "state" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_enrollments_store_id_shopper_email_trigger_state",
                table: "enrollments");

            migrationBuilder.CreateIndex(
                name: "ix_enrollments_store_id_shopper_email",
                table: "enrollments",
                columns: new[] { "store_id", "shopper_email" });
        }
    }
}
