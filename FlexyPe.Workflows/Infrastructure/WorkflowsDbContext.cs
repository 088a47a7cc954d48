using Microsoft.EntityFrameworkCore;

namespace FlexyPe.Workflows.Infrastructure;

/// <summary>The Workflows service's own database, <c>workflowsdb</c>.</summary>
public sealed class WorkflowsDbContext(DbContextOptions<WorkflowsDbContext> options) : DbContext(options)
{
}
