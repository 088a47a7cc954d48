using System.Text.Json;

namespace FlexyPe.Recovery.UnitTests.AppHost;

/// <summary>The two manifests azd can deploy, written once each by the real AppHost process and shared by the tests.</summary>
public sealed class PublishedManifests : IAsyncLifetime
{
    /// <summary>The default deployment: Postgres as a container with its data volume.</summary>
    public PublishedManifest Default { get; private set; } = null!;

    /// <summary><c>Infrastructure:Postgres=external</c>: a managed Postgres, given as a connection string.</summary>
    public PublishedManifest ManagedPostgres { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var written = await Task.WhenAll(
            PublishedManifest.WriteAsync(),
            PublishedManifest.WriteAsync("--Infrastructure:Postgres=external"));
        (Default, ManagedPostgres) = (written[0], written[1]);
    }

    public Task DisposeAsync() => Task.CompletedTask;
}

/// <summary>What <c>azd up</c> would deploy: real parts only, reachable where the outside world must reach.</summary>
public sealed class ManifestTests(PublishedManifests manifests) : IClassFixture<PublishedManifests>
{
    private static readonly string[] Services = ["ingest", "workflows", "notifier", "console"];
    private static readonly string[] Databases = ["ingestdb", "workflowsdb", "notifierdb", "consoledb"];

    [Fact]
    public void Manifest_names_every_service_database_redis_and_the_secret_parameters()
    {
        var manifest = manifests.Default;

        foreach (var name in Services)
        {
            Assert.Equal("project.v0", manifest[name].GetProperty("type").GetString());
        }
        foreach (var name in Databases)
        {
            Assert.Equal("value.v0", manifest[name].GetProperty("type").GetString());
        }
        Assert.StartsWith("container.", manifest["redis"].GetProperty("type").GetString());
        foreach (var name in new[] { "flexype-webhook-secret", "admin-api-key" })
        {
            AssertSecretParameter(manifest[name]);
        }
        Assert.Equal("{flexype-webhook-secret.value}", manifest.EnvironmentOf("ingest")["Ingest__WebhookSecrets__0"]);
    }

    [Fact]
    public void No_development_mail_sink_is_published()
    {
        foreach (var manifest in new[] { manifests.Default, manifests.ManagedPostgres })
        {
            Assert.False(manifest.Has("mail"));
            Assert.DoesNotContain(manifest.Resources.EnumerateObject(), resource =>
                resource.Value.TryGetProperty("image", out var image) && image.GetString()!.Contains("smtp4dev", StringComparison.OrdinalIgnoreCase));
        }
    }

    [Fact]
    public void The_smtp_server_is_a_secret_connection_string_parameter_azd_asks_for()
    {
        var smtp = manifests.Default["smtp"];

        AssertSecretParameter(smtp);
        Assert.Equal("{smtp.value}", smtp.GetProperty("connectionString").GetString());
        Assert.False(smtp.GetProperty("inputs").GetProperty("value").TryGetProperty("default", out _), "azd must ask, not make one up");
        Assert.Equal("{smtp.connectionString}", manifests.Default.EnvironmentOf("notifier")["ConnectionStrings__smtp"]);
    }

    [Fact]
    public void Ingest_Notifier_and_the_console_have_external_http_endpoints_and_Workflows_has_none()
    {
        foreach (var manifest in new[] { manifests.Default, manifests.ManagedPostgres })
        {
            Assert.True(IsExternal(manifest["ingest"], "https"));
            Assert.True(IsExternal(manifest["notifier"], "https"));
            Assert.True(IsExternal(manifest["console"], "https"));
            Assert.DoesNotContain(manifest["workflows"].GetProperty("bindings").EnumerateObject(), binding => IsExternal(binding.Value));
        }
    }

    [Fact]
    public void Notifier_public_base_url_is_bound_to_its_external_https_endpoint()
    {
        var environment = manifests.Default.EnvironmentOf("notifier");

        Assert.Equal("{notifier.bindings.https.url}", environment["Notifier__PublicBaseUrl"]);
        Assert.Equal("https", manifests.Default["notifier"].GetProperty("bindings").GetProperty("https").GetProperty("scheme").GetString());
    }

    [Fact]
    public void Public_services_trust_the_container_apps_ingress_and_workflows_is_not_told_any()
    {
        foreach (var service in new[] { "ingest", "notifier", "console" })
        {
            var environment = manifests.Default.EnvironmentOf(service);
            Assert.Equal(["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"],
                environment.Where(e => e.Key.StartsWith("ForwardedHeaders__KnownNetworks__", StringComparison.Ordinal)).OrderBy(e => e.Key).Select(e => e.Value));
        }
        Assert.DoesNotContain(manifests.Default.EnvironmentOf("workflows").Keys, key => key.StartsWith("ForwardedHeaders__", StringComparison.Ordinal));
    }

    [Fact]
    public void By_default_Postgres_is_a_container_with_its_data_on_a_volume()
    {
        var postgres = manifests.Default["postgres"];

        Assert.StartsWith("container.", postgres.GetProperty("type").GetString());
        Assert.Equal("/var/lib/postgresql", Assert.Single(postgres.GetProperty("volumes").EnumerateArray()).GetProperty("target").GetString());
    }

    [Fact]
    public void Managed_postgres_mode_publishes_a_connection_string_parameter_and_no_postgres_container()
    {
        var manifest = manifests.ManagedPostgres;

        AssertSecretParameter(manifest["postgres"]);
        Assert.Equal("{postgres.value}", manifest["postgres"].GetProperty("connectionString").GetString());
        Assert.DoesNotContain(manifest.Resources.EnumerateObject(), resource =>
            resource.Value.TryGetProperty("image", out var image) && image.GetString()!.Contains("postgres", StringComparison.OrdinalIgnoreCase));
        foreach (var database in Databases)
        {
            Assert.Equal($"{{postgres.connectionString}};Database={database}", manifest[database].GetProperty("connectionString").GetString());
        }
        Assert.Equal("{ingestdb.connectionString}", manifest.EnvironmentOf("ingest")["ConnectionStrings__ingestdb"]);
    }

    [Fact]
    public void The_optional_ai_connection_string_is_not_asked_for_unless_configured()
    {
        Assert.False(manifests.Default.Has("ai"));
        Assert.DoesNotContain("ConnectionStrings__ai", manifests.Default.EnvironmentOf("workflows").Keys);
    }

    private static void AssertSecretParameter(JsonElement resource)
    {
        Assert.Equal("parameter.v0", resource.GetProperty("type").GetString());
        Assert.True(resource.GetProperty("inputs").GetProperty("value").GetProperty("secret").GetBoolean());
    }

    private static bool IsExternal(JsonElement project, string binding) =>
        project.GetProperty("bindings").TryGetProperty(binding, out var found) && IsExternal(found);

    private static bool IsExternal(JsonElement binding) =>
        binding.TryGetProperty("external", out var external) && external.GetBoolean();
}
