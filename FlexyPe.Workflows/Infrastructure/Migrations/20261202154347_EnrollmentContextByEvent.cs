using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace FlexyPe.Workflows.Infrastructure.Migrations
{
    /// <summary>
    /// An enrollment names the event it renders (<c>context_event_id</c>, an event of its store in <c>received_events</c>)
    /// instead of keeping a second copy of its JSON (<c>context</c>): about a third of intake's write-ahead log was that
    /// copy, written again on every later delivery of the checkout (bench/README.md, issue 16).
    /// <para>
    /// Every context was the JSON of an event stored in the same transaction, so each enrollment finds its event by store,
    /// type and JSON (equal JSON, equal event: any of them will do). One that does not (none is expected) keeps its JSON as
    /// an event of its own, of type <c>enrollment_context</c>, which no rule or count reads. Down puts the copies back.
    /// </para>
    /// </summary>
    public partial class EnrollmentContextByEvent : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "context_event_id",
                table: "enrollments",
                type: "text",
                nullable: true);

            migrationBuilder.Sql("""
                UPDATE enrollments e SET context_event_id = r.event_id
                FROM received_events r
                WHERE r.store_id = e.store_id AND r.type = e.trigger AND r.payload = e.context;

                INSERT INTO received_events (store_id, event_id, type, shopper_email, occurred_at, received_at, payload)
                SELECT store_id, 'enrollment-context:' || id, 'enrollment_context', NULL, context_occurred_at, now(), context
                FROM enrollments WHERE context_event_id IS NULL;

                UPDATE enrollments SET context_event_id = 'enrollment-context:' || id WHERE context_event_id IS NULL;
                """);

            migrationBuilder.AlterColumn<string>(
                name: "context_event_id",
                table: "enrollments",
                type: "text",
                nullable: false,
                oldClrType: typeof(string),
                oldType: "text",
                oldNullable: true);

            migrationBuilder.DropColumn(
                name: "context",
                table: "enrollments");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "context",
                table: "enrollments",
                type: "jsonb",
                nullable: true);

            migrationBuilder.Sql("""
                UPDATE enrollments e SET context = r.payload
                FROM received_events r
                WHERE r.store_id = e.store_id AND r.event_id = e.context_event_id;

                DELETE FROM received_events WHERE type = 'enrollment_context';
                """);

            migrationBuilder.AlterColumn<string>(
                name: "context",
                table: "enrollments",
                type: "jsonb",
                nullable: false,
                oldClrType: typeof(string),
                oldType: "jsonb",
                oldNullable: true);

            migrationBuilder.DropColumn(
                name: "context_event_id",
                table: "enrollments");
        }
    }
}
