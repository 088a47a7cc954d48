using FlexyPe.Simulator.Cli;
using Spectre.Console;

SimulatorArguments arguments;
try
{
    arguments = SimulatorArguments.Parse(args);
}
catch (Exception e) when (e is ArgumentException or UriFormatException)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(SimulatorArguments.Usage);
    return 2;
}

if (arguments.Help)
{
    Console.WriteLine(SimulatorArguments.Usage);
    return 0;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

try
{
    return await SimulatorCommands.RunAsync(arguments, AnsiConsole.Console, cancel.Token);
}
catch (OperationCanceledException)
{
    Console.Error.WriteLine("Stopped.");
    return 130;
}
