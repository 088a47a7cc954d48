using Microsoft.EntityFrameworkCore;

namespace FlexyPe.Ingest.Infrastructure;

/// <summary>The Ingest service's own database, <c>ingestdb</c>.</summary>
public sealed class IngestDbContext(DbContextOptions<IngestDbContext> options) : DbContext(options)
{
}
