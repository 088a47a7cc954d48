using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace FlexyPe.Workflows.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class OnlyTheUniqueEnrollmentIndexLedByStore : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_enrollments_store_id_discount_arm",
                table: "enrollments");

            migrationBuilder.DropIndex(
                name: "ix_enrollments_store_id_shopper_email_trigger_state",
                table: "enrollments");

            migrationBuilder.CreateIndex(
                name: "ix_enrollments_discount_arm_store_id",
                table: "enrollments",
                columns: new[] { "discount_arm", "store_id" });

            migrationBuilder.CreateIndex(
                name: "ix_enrollments_shopper_email_store_id_trigger_state",
                table: "enrollments",
                columns: new[] { "shopper_email", "store_id", "trigger", "state" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_enrollments_discount_arm_store_id",
                table: "enrollments");

            migrationBuilder.DropIndex(
                name: "ix_enrollments_shopper_email_store_id_trigger_state",
                table: "enrollments");

            migrationBuilder.CreateIndex(
                name: "ix_enrollments_store_id_discount_arm",
                table: "enrollments",
                columns: new[] { "store_id", "discount_arm" });

            migrationBuilder.CreateIndex(
                name: "ix_enrollments_store_id_shopper_email_trigger_state",
                table: "enrollments",
                columns: new[] { "store_id", "shopper_email", "trigger", "state" });
        }
    }
}
