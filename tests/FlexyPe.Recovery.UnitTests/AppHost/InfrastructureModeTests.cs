using FlexyPe.AppHost.Infrastructure;

namespace FlexyPe.Recovery.UnitTests.AppHost;

/// <summary>The choice between containers and local processes, against a described machine (nothing is started).</summary>
public sealed class InfrastructureModeTests
{
    private sealed class DescribedMachine(bool runtimeAnswers, params string[] missingPrograms) : IMachineProbe
    {
        public int RuntimeProbes { get; private set; }

        public bool ContainerRuntimeAnswers()
        {
            RuntimeProbes++;
            return runtimeAnswers;
        }

        public IReadOnlyList<string> MissingLocalPrograms() => missingPrograms;
    }

    [Fact]
    public void A_container_runtime_that_answers_means_containers()
    {
        var mode = InfrastructureModeChooser.Choose("auto", isPublishMode: false, new DescribedMachine(runtimeAnswers: true));
        Assert.Equal(InfrastructureMode.Containers, mode);
    }

    [Fact]
    public void No_container_runtime_means_local_processes()
    {
        var mode = InfrastructureModeChooser.Choose(null, isPublishMode: false, new DescribedMachine(runtimeAnswers: false));
        Assert.Equal(InfrastructureMode.LocalProcesses, mode);
    }

    [Fact]
    public void Forcing_local_skips_the_runtime_probe()
    {
        var machine = new DescribedMachine(runtimeAnswers: true);
        var mode = InfrastructureModeChooser.Choose("local", isPublishMode: false, machine);

        Assert.Equal(InfrastructureMode.LocalProcesses, mode);
        Assert.Equal(0, machine.RuntimeProbes);
    }

    [Fact]
    public void Forcing_containers_works_without_local_programs()
    {
        var mode = InfrastructureModeChooser.Choose("containers", isPublishMode: false,
            new DescribedMachine(runtimeAnswers: false, "postgres", "redis-server"));
        Assert.Equal(InfrastructureMode.Containers, mode);
    }

    [Fact]
    public void Publishing_always_uses_containers()
    {
        var mode = InfrastructureModeChooser.Choose("local", isPublishMode: true, new DescribedMachine(runtimeAnswers: false));
        Assert.Equal(InfrastructureMode.Containers, mode);
    }

    [Fact]
    public void Neither_runtime_nor_programs_stops_with_one_message_naming_what_to_install()
    {
        var error = Assert.Throws<InfrastructureUnavailableException>(() => InfrastructureModeChooser.Choose(
            "auto", isPublishMode: false, new DescribedMachine(runtimeAnswers: false, "postgres (Debian package 'postgresql')")));

        Assert.Contains("Docker or Podman", error.Message);
        Assert.Contains("apt-get install postgresql redis-server", error.Message);
        Assert.Contains("postgres (Debian package 'postgresql')", error.Message);
    }

    [Fact]
    public void Forcing_local_without_the_programs_names_them()
    {
        var error = Assert.Throws<InfrastructureUnavailableException>(() => InfrastructureModeChooser.Choose(
            "local", isPublishMode: false, new DescribedMachine(runtimeAnswers: true, "redis-server (Debian package 'redis-server')")));
        Assert.Contains("redis-server", error.Message);
    }

    [Fact]
    public void An_unknown_mode_is_refused_with_the_valid_ones()
    {
        var error = Assert.Throws<InfrastructureUnavailableException>(() =>
            InfrastructureModeChooser.Choose("kubernetes", isPublishMode: false, new DescribedMachine(runtimeAnswers: true)));
        Assert.Contains("'auto', 'containers' or 'local'", error.Message);
    }
}
