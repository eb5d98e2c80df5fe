using System.Text.Json;
using System.Text.Json.Serialization;
using Edge.Runtime.Files;

namespace Edge.Daemon;

/// <summary>
/// What must survive a restart (issue 7): the last SoC estimate (so a restart without a battery reading starts from
/// a sane value), which alarms an operator has acknowledged, and the lifetime counters. Saved at every clean stop and,
/// so that a <c>kill -9</c> or a power loss loses at most one interval, periodically by <see cref="StateSaver"/>
/// (issue 11). (The Sparkplug bdSeq has its own file, written at
/// every CONNECT, see <c>FileBdSeqStore</c>.) Stored as JSON, written atomically (write-then-rename) so a crash mid-write leaves
/// the previous state, never half of one.
/// </summary>
public sealed class PersistedState
{
    /// <summary>Format version, bumped on incompatible changes.</summary>
    public int Version { get; set; } = 1;

    /// <summary>When the state was saved (UTC).</summary>
    public DateTimeOffset SavedAtUtc { get; set; }

    /// <summary>Last known battery SoC, % (NaN when never measured).</summary>
    public double SocEstimatePct { get; set; } = double.NaN;

    /// <summary>Alarm keys an operator acknowledged and that are still active.</summary>
    public List<string> AcknowledgedAlarms { get; set; } = [];

    /// <summary>Number of clean and unclean starts, for the operator's curiosity.</summary>
    public long Starts { get; set; }

    /// <summary>True from the first periodic save until a clean stop: found true at start, the last run died.</summary>
    public bool Running { get; set; }

    /// <summary>Runs that ended without a clean stop (kill -9, crash, power loss), counted at the next start.</summary>
    public long UncleanStops { get; set; }

    /// <summary>Control periods run, over every run.</summary>
    public long CyclesTotal { get; set; }

    /// <summary>Control periods that overran their deadline, over every run.</summary>
    public long OverrunsTotal { get; set; }

    /// <summary>Seconds the daemon controlled, over every run.</summary>
    public double RunSecondsTotal { get; set; }

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        TypeInfoResolver = DaemonJsonContext.Default,
    };

    /// <summary>
    /// Loads the state from <paramref name="path"/>. A missing file gives a fresh state; a corrupt one is reported
    /// through <paramref name="problem"/> and replaced by a fresh state (the daemon must still start safely).
    /// </summary>
    public static PersistedState Load(string path, out string? problem)
    {
        problem = null;
        if (!File.Exists(path))
        {
            return new PersistedState();
        }

        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(path), (System.Text.Json.Serialization.Metadata.JsonTypeInfo<PersistedState>)Json.GetTypeInfo(typeof(PersistedState))) ?? new PersistedState();
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException or NotSupportedException)
        {
            problem = $"state file '{path}' could not be read ({e.Message}); starting from a fresh state";
            return new PersistedState();
        }
    }

    /// <summary>Saves the state to <paramref name="path"/> atomically.</summary>
    public void Save(string path)
    {
        SavedAtUtc = DateTimeOffset.UtcNow;
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(this, (System.Text.Json.Serialization.Metadata.JsonTypeInfo<PersistedState>)Json.GetTypeInfo(typeof(PersistedState)));
        OutputFile.ReplaceAtomically(OutputFile.ResolveStore(path), s => s.Write(json));
    }
}
