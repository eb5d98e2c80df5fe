using System.Text.Json;
using Edge.Core.Backstop;

namespace Edge.Daemon;

/// <summary>
/// Backstop tier 4 (docs/agents.md, "What each tier does"): Edge cannot throttle requests itself, so it asks the workload
/// orchestrator to, on <c>edge/{site}/{node}/throttle</c> (retained, QoS 1, so an orchestrator that connects later sees
/// the request in force): <c>{"state":"requested"|"ended","tier","ts_ms","bands":[{"low_hz","high_hz",
/// "grid_amplitude_w","grid_hz","load_amplitude_w","load_hz"}]}</c>. Written on the tier's transitions only.
/// </summary>
internal static class ThrottleRequest
{
    /// <summary>The topic leaf under <c>edge/{site}/{node}</c>.</summary>
    public const string Leaf = "throttle";

    /// <summary>The payload for a request (<paramref name="requested"/>) or its end, with the backstop's figures.</summary>
    public static byte[] Payload(bool requested, in BackstopFigures f, IReadOnlyList<BandSpec> bands, long unixMs)
    {
        using var stream = new MemoryStream(512);
        using (var j = new Utf8JsonWriter(stream))
        {
            j.WriteStartObject();
            j.WriteString("state", requested ? "requested" : "ended");
            j.WriteNumber("tier", f.Tier);
            j.WriteNumber("ts_ms", unixMs);
            j.WriteStartArray("bands");
            for (int i = 0; i < f.Bands && i < bands.Count; i++)
            {
                j.WriteStartObject();
                j.WriteNumber("low_hz", bands[i].LowHz);
                j.WriteNumber("high_hz", bands[i].HighHz);
                j.WriteNumber("grid_amplitude_w", Math.Round(f.GridW[i], 1));
                j.WriteNumber("grid_hz", Math.Round(f.GridHz[i], 3));
                j.WriteNumber("load_amplitude_w", Math.Round(f.LoadW[i], 1));
                j.WriteNumber("load_hz", Math.Round(f.LoadHz[i], 3));
                j.WriteEndObject();
            }

            j.WriteEndArray();
            j.WriteEndObject();
        }

        return stream.ToArray();
    }
}
