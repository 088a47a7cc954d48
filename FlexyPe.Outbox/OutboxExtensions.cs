using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;

namespace FlexyPe.Outbox;

public static class OutboxExtensions
{
    /// <summary>
    /// Registers a service's outbox: the relay on the database named <paramref name="connectionName"/>, its settings
    /// bound from <paramref name="section"/> over <paramref name="defaults"/> and checked at start-up, its wake-ups,
    /// and <typeparamref name="TSender"/> as a typed HTTP client, returned for the service to configure.
    /// </summary>
    public static IHttpClientBuilder AddOutbox<TSender>(
        this IHostApplicationBuilder builder, string connectionName, string section, Action<OutboxOptions>? defaults = null)
        where TSender : class, IOutboxSender
    {
        builder.Services.AddOptions<OutboxOptions>()
            .Configure(options => defaults?.Invoke(options))
            .BindConfiguration(section)
            .Validate(OutboxOptions.HasOrderedDelays, $"{section}:MaxRetryDelay must not be less than {section}:FirstRetryDelay.")
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<OutboxOptions>, OutboxOptionsValidator>();

        var connectionString = builder.Configuration.GetConnectionString(connectionName)
            ?? throw new InvalidOperationException($"ConnectionStrings:{connectionName} is not set.");
        builder.Services.TryAddSingleton(_ => new OutboxDatabase(new NpgsqlDataSourceBuilder(
            new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = "outbox", MaxPoolSize = 8 }.ConnectionString).Build()));
        builder.Services.TryAddSingleton<OutboxTelemetry>();
        builder.Services.AddWakeUp(OutboxModel.Table);
        builder.Services.AddHostedService<OutboxRelay>();
        return builder.Services.AddHttpClient<IOutboxSender, TSender>();
    }

    /// <summary>
    /// A <see cref="WakeUp"/> on <paramref name="channel"/> (a table with a wake-up trigger,
    /// <see cref="WakeUpMigrations.AddWakeUpTrigger"/>), injected with <c>[FromKeyedServices(channel)]</c>. Needs
    /// <see cref="AddOutbox{TSender}"/>, whose database the listener uses.
    /// </summary>
    public static IServiceCollection AddWakeUp(this IServiceCollection services, string channel)
    {
        var wakeUp = new WakeUp(channel);
        services.AddKeyedSingleton(channel, wakeUp);
        services.AddSingleton(wakeUp);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, WakeUpListener>());
        return services;
    }
}
