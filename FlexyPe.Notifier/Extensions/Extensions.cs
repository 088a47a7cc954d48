using Microsoft.EntityFrameworkCore;
using FlexyPe.Notifier.Infrastructure;
using FlexyPe.Notifier.Smtp;

namespace FlexyPe.Notifier.Extensions;

public static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddNpgsqlDbContext<NotifierDbContext>("notifierdb", configureDbContextOptions: options => options.UseSnakeCaseNamingConvention());
        builder.Services.AddMigration<NotifierDbContext>();

        builder.Services.AddSingleton(sp => SmtpEndpoint.Parse(
            sp.GetRequiredService<IConfiguration>().GetConnectionString(SmtpEndpoint.ConnectionName)
            ?? throw new InvalidOperationException("ConnectionStrings:smtp is not set.")));
        builder.Services.AddHealthChecks().AddCheck<SmtpHealthCheck>("smtp");

        builder.Services.AddOpenApi();
    }
}
