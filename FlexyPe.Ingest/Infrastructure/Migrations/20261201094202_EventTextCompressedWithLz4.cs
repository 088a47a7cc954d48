using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace FlexyPe.Ingest.Infrastructure.Migrations
{
    /// <summary>
    /// An event's body as received and its normalized form are compressed with lz4 instead of Postgres's default pglz.
    /// In the simulator's mix about half of the rows are over the size at which Postgres compresses a row's largest values,
    /// and it does that in the group commit, the one statement every delivery waits for. Only rows written from now on
    /// change.
    /// </summary>
    public partial class EventTextCompressedWithLz4 : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // By SQL: the provider's own form of this statement leaves out its terminating semicolon in a script.
            migrationBuilder.Sql("ALTER TABLE events ALTER COLUMN raw SET COMPRESSION lz4, ALTER COLUMN normalized SET COMPRESSION lz4;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("ALTER TABLE events ALTER COLUMN raw SET COMPRESSION default, ALTER COLUMN normalized SET COMPRESSION default;");
        }
    }
}
