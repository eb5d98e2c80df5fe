using System.Text.Json;
using System.Text.Json.Nodes;

namespace Edge.Rig.Tests.Hil;

/// <summary>
/// hil-report.json: one entry per scenario of the fault suite — the daemon deaths (Hil/) and the broker, inverter,
/// steady and E-stop scenarios (Faults/): detection time, largest 1 s movement of the batteries' total power, the limit
/// it is held to, overruns, messages lost, … — rewritten after every scenario, with a readable hil-report.txt beside it.
/// Path: $EDGE_HIL_REPORT, else beside the test assembly.
/// </summary>
internal static class HilReport
{
    private static readonly Lock Gate = new();

    public static string Path => Environment.GetEnvironmentVariable("EDGE_HIL_REPORT") is { Length: > 0 } p
        ? p
        : System.IO.Path.Combine(AppContext.BaseDirectory, "hil-report.json");

    /// <summary>Adds or replaces scenario <paramref name="name"/>; returns the path written.</summary>
    public static string Record(string name, JsonObject result)
    {
        lock (Gate)
        {
            JsonObject root;
            try
            {
                root = File.Exists(Path) ? JsonNode.Parse(File.ReadAllText(Path)) as JsonObject ?? [] : [];
            }
            catch (JsonException)
            {
                root = [];
            }

            var scenarios = root["scenarios"] as JsonObject ?? [];
            scenarios[name] = result;
            root["scenarios"] = scenarios.DeepClone();
            root["written_utc"] = DateTime.UtcNow.ToString("O");
            File.WriteAllText(Path, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            File.WriteAllLines(System.IO.Path.ChangeExtension(Path, ".txt"), scenarios.Select(s => Summary(s.Key, s.Value!.AsObject())));
            return Path;
        }
    }

    /// <summary>Adds or replaces scenario <paramref name="name"/> from named figures; returns the path written.</summary>
    public static string Record(string name, IReadOnlyDictionary<string, object?> figures)
    {
        var entry = new JsonObject();
        foreach ((string key, object? value) in figures)
        {
            entry[key] = value is null ? null : JsonSerializer.SerializeToNode(value);
        }

        return Record(name, entry);
    }

    /// <summary>One readable line per scenario (hil-report.txt beside the JSON).</summary>
    private static string Summary(string name, JsonObject r) => r.ContainsKey("battery_w_before")
        ? DeathSummary(name, r)
        : $"{name,-22} " + string.Join(", ", r.Where(kv => kv.Value is JsonValue).Select(kv => $"{kv.Key} {kv.Value!.ToJsonString()}"));

    private static string DeathSummary(string name, JsonObject r) => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"{name,-22} battery {r["battery_w_before"]} W before, {r["battery_w_after"]} W after; detection {r["detection_s"]?.ToString() ?? "—"} s; " +
        $"largest 1 s movement {r["largest_1s_move_w"]} W (limit {r["limit_w"]} W) at +{r["largest_move_at_s_after_fault"]} s; {r["samples"]} polls over {r["window_s"]} s");
}
