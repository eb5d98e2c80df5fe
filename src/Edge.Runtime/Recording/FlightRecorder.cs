using System.Globalization;
using System.Text;

namespace Edge.Runtime.Recording;

/// <summary>
/// The last minutes of every period, in a ring preallocated at start (no allocation while recording). It is fed by
/// the hand-off consumer (never the loop thread) and dumped to a CSV that <c>edge replay --trace</c> reads back
/// (<c>time_s</c> and <c>load_w</c> columns), with the grid, battery, setpoint, target, SoC, mode and flags beside them.
/// Single-threaded: <see cref="Record"/> and <see cref="Snapshot"/> are called from the consumer's thread; the file
/// is written from the copy <see cref="Snapshot"/> returns, so the consumer never waits on the disk.
/// </summary>
public sealed class FlightRecorder
{
    private readonly FlightRecord[] _ring;
    private long _count;

    /// <summary>Keeps <paramref name="seconds"/> of history at <paramref name="periodMs"/>.</summary>
    public FlightRecorder(double seconds, double periodMs)
    {
        int capacity = (int)Math.Clamp(Math.Ceiling(seconds * 1000 / periodMs), 16, 10_000_000);
        _ring = new FlightRecord[capacity];
    }

    /// <summary>Records held (at most the capacity).</summary>
    public int Count => (int)Math.Min(_count, _ring.Length);

    /// <summary>Capacity in periods.</summary>
    public int Capacity => _ring.Length;

    /// <summary>Total records ever written.</summary>
    public long Recorded => _count;

    /// <summary>Adds one period (overwrites the oldest when full). Allocation-free.</summary>
    public void Record(in FlightRecord record)
    {
        _ring[_count % _ring.Length] = record;
        _count++;
    }

    /// <summary>Copies the held records, oldest first (allocates: call it when a dump is wanted).</summary>
    public FlightRecord[] Snapshot()
    {
        int n = Count;
        var copy = new FlightRecord[n];
        long first = _count - n;
        for (int i = 0; i < n; i++)
        {
            copy[i] = _ring[(first + i) % _ring.Length];
        }

        return copy;
    }

    /// <summary>Writes <paramref name="records"/> as CSV (time relative to the first record).</summary>
    public static void WriteCsv(TextWriter writer, IReadOnlyList<FlightRecord> records)
    {
        writer.Write("time_s,load_w,grid_w,grid_target_w,battery_w,battery_setpoint_w,soc_pct,mode,flags,lateness_us,seq\n");
        long t0 = records.Count > 0 ? records[0].TimestampNs : 0;
        var line = new StringBuilder(160);
        foreach (FlightRecord r in records)
        {
            line.Clear();
            line.Append(CultureInfo.InvariantCulture, $"{(r.TimestampNs - t0) * 1e-9:0.######},{r.LoadW:R},{r.GridW:R},{r.GridTargetW:R},{r.BatteryW:R},{r.BatterySetpointW:R},{r.SocPct:R},");
            line.Append(r.Mode.ToString().ToLowerInvariant()).Append(',');
            line.Append(((uint)r.Flags).ToString(CultureInfo.InvariantCulture)).Append(',');
            line.Append(CultureInfo.InvariantCulture, $"{r.LatenessNs / 1000.0:0.#},{r.Sequence}\n");
            writer.Write(line);
        }
    }
}
