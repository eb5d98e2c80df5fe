using System.Text.Json;
using System.Text.Json.Nodes;

namespace Edge.Rig.Tests.Faults;

/// <summary>
/// <c>fault-report.json</c>: one object per scenario with its figures (detection time, largest 1 s battery-power
/// movement, overruns, messages lost …), merged across the scenarios of a run. Path: <c>$EDGE_FAULT_REPORT</c>, else
/// beside the test assembly. The lead merges it with the guard's <c>hil-report.json</c>.
/// </summary>
internal static class FaultReport
{
    private static readonly object Gate = new();

    public static string Path => Environment.GetEnvironmentVariable("EDGE_FAULT_REPORT") is { Length: > 0 } p
        ? p
        : System.IO.Path.Combine(AppContext.BaseDirectory, "fault-report.json");

    /// <summary>Adds or replaces <paramref name="scenario"/>'s figures; returns the report's path.</summary>
    public static string Write(string scenario, IReadOnlyDictionary<string, object?> figures)
    {
        lock (Gate)
        {
            JsonObject root = File.Exists(Path) && JsonNode.Parse(File.ReadAllText(Path)) is JsonObject o ? o : [];
            root["generated_utc"] = DateTimeOffset.UtcNow.ToString("O");
            JsonObject scenarios = root["scenarios"] as JsonObject ?? [];
            root["scenarios"] = scenarios;
            var entry = new JsonObject();
            foreach ((string key, object? value) in figures)
            {
                entry[key] = value is null ? null : JsonSerializer.SerializeToNode(value);
            }

            scenarios[scenario] = entry;
            File.WriteAllText(Path, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            return Path;
        }
    }
}
