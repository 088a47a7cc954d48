using Microsoft.EntityFrameworkCore;
using FlexyPe.Workflows.Infrastructure;

namespace FlexyPe.Workflows.Extensions;

public static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddNpgsqlDbContext<WorkflowsDbContext>("workflowsdb", configureDbContextOptions: options => options.UseSnakeCaseNamingConvention());
        builder.Services.AddMigration<WorkflowsDbContext>();

        builder.Services.AddOpenApi();
    }
}
