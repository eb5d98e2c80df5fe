using System.Globalization;
using System.Text;
using Edge.Core.Replay;

namespace Edge.Replay;

/// <summary>
/// Writes <c>--series</c> as the replay runs (DESIGN §6): one row per period and controller,
/// <c>time_s,controller,load_w,grid_w,grid_target_w,battery_w,soc_pct</c>, values round-trippable (<c>R</c>) so
/// anyone can recompute the metrics bit for bit. Rows come period by period, the controllers of one period
/// together. Formats into one reused buffer: no allocation per row.
/// </summary>
public sealed class SeriesWriter : IDisposable
{
    /// <summary>The header row.</summary>
    public const string Header = "time_s,controller,load_w,grid_w,grid_target_w,battery_w,soc_pct";

    private readonly StreamWriter _writer;
    private readonly string[] _controllers;
    private readonly double _periodS;
    private readonly char[] _row;
    private readonly ReplaySite[]? _sites;

    /// <summary>Starts the file on <paramref name="stream"/> (left open) and writes the header.</summary>
    /// <param name="stream">Where to write.</param>
    /// <param name="controllers">The controllers, in the session's order.</param>
    /// <param name="periodS">The period, s.</param>
    /// <param name="sites">
    /// With levers, one site per controller: then <c>load_w</c> is what the racks drew and <c>grid_w</c> includes the
    /// flexible loads, and the row goes on with <c>flex_w,tier</c> and one <c>{lever}_w</c> column per lever (its
    /// level or cap).
    /// </param>
    public SeriesWriter(Stream stream, IReadOnlyList<string> controllers, double periodS, ReplaySite[]? sites = null)
    {
        _writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
        _controllers = [.. controllers];
        _periodS = periodS;
        _sites = sites;
        int levers = sites is { Length: > 0 } ? sites[0].Names.Count : 0;
        _row = new char[512 + (levers * 32)];
        _writer.Write(Header);
        if (sites is { Length: > 0 })
        {
            _writer.Write(",flex_w,tier");
            foreach (string name in sites[0].Names)
            {
                _writer.Write(',');
                _writer.Write(name);
                _writer.Write("_w");
            }
        }

        _writer.Write('\n');
    }

    /// <summary>Writes period <paramref name="k"/>'s rows.</summary>
    public void Write(long k, double loadW, ReadOnlySpan<ReplayState> states)
    {
        for (int c = 0; c < states.Length; c++)
        {
            ref readonly ReplayState s = ref states[c];
            Span<char> row = _row;
            int n = 0;
            n += Format(row[n..], k * _periodS, "0.######");
            row[n++] = ',';
            _controllers[c].AsSpan().CopyTo(row[n..]);
            n += _controllers[c].Length;
            row[n++] = ',';
            n += Format(row[n..], _sites is null ? loadW : s.RacksW, "R");
            row[n++] = ',';
            n += Format(row[n..], s.GridW, "R");
            row[n++] = ',';
            n += Format(row[n..], s.GridTargetW, "R");
            row[n++] = ',';
            n += Format(row[n..], s.BatteryW, "R");
            row[n++] = ',';
            n += Format(row[n..], s.SocPct, "R");
            if (_sites is not null)
            {
                row[n++] = ',';
                n += Format(row[n..], s.FlexW, "R");
                row[n++] = ',';
                n += Format(row[n..], s.Tier, "0");
                foreach (double v in _sites[c].LeverValues)
                {
                    row[n++] = ',';
                    n += Format(row[n..], v, "R");
                }
            }

            row[n++] = '\n';
            _writer.Write(_row, 0, n);
        }
    }

    /// <summary>Flushes the rows into the stream.</summary>
    public void Dispose() => _writer.Dispose();

    private static int Format(Span<char> into, double v, string format) =>
        v.TryFormat(into, out int written, format, CultureInfo.InvariantCulture) ? written : throw new InvalidOperationException("series row buffer too small");
}
