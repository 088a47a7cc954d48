using Microsoft.EntityFrameworkCore;
using FlexyPe.Ingest.Infrastructure;

namespace FlexyPe.Ingest.Extensions;

public static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddNpgsqlDbContext<IngestDbContext>("ingestdb", configureDbContextOptions: options => options.UseSnakeCaseNamingConvention());
        builder.AddRedisClient("redis");
        builder.Services.AddMigration<IngestDbContext>();

        builder.Services.AddOpenApi();
    }
}
