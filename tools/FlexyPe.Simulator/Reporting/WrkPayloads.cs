using System.Text;
using FlexyPe.Simulator.Generation;

namespace FlexyPe.Simulator.Reporting;

/// <summary>The simulator's payload mix as a Lua table, so wrk sends exactly what the simulator would (bench/wrk/webhooks.lua).</summary>
public static class WrkPayloads
{
    public static string ToLua(IEnumerable<SimulatedEvent> events)
    {
        var lua = new StringBuilder("-- Written by flexype-simulator payloads: the simulator's payload mix for wrk.\nreturn {\n");
        foreach (var e in events)
        {
            if (e.Body.Contains("]==]", StringComparison.Ordinal))
            {
                continue;
            }
            lua.Append("  { kind = \"").Append(e.Kind).Append("\", version = ")
                .Append(e.VersionHeader is null ? "nil" : $"\"{e.VersionHeader}\"")
                .Append(", body = [==[").Append(e.Body).Append("]==] },\n");
        }
        return lua.Append("}\n").ToString();
    }
}
