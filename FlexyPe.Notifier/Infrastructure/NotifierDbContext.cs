using Microsoft.EntityFrameworkCore;

namespace FlexyPe.Notifier.Infrastructure;

/// <summary>The Notifier service's own database, <c>notifierdb</c>.</summary>
public sealed class NotifierDbContext(DbContextOptions<NotifierDbContext> options) : DbContext(options)
{
}
