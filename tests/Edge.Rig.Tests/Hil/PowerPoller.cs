using System.Globalization;
using Edge.Rig.Tests.Infrastructure;

namespace Edge.Rig.Tests.Hil;

/// <summary>
/// The inverters' own AC power (model 701 <c>W</c>), polled every 50 ms by pymodbus' client in its own process
/// (Peers/sunspec_poll.py) — an independent measurement of what the batteries deliver, on CLOCK_MONOTONIC (the clock
/// <see cref="System.Diagnostics.Stopwatch"/> reads on Linux, so fault times and samples share one time base).
/// </summary>
internal sealed class PowerPoller : IDisposable
{
    private readonly ChildProcess _process;

    public PowerPoller(IEnumerable<string> endpoints)
    {
        _process = new ChildProcess(PyInverter.Python, [PyInverter.Script("sunspec_poll.py"), "50", .. endpoints]);
        _process.WaitForLine(l => l == "polling", TimeSpan.FromSeconds(30), "the poller's first poll");
    }

    /// <summary>A poll whose reads took longer than this is not a reading of the total at one time, s.</summary>
    public const double MaxPollSpreadS = 0.1;

    /// <summary>
    /// Every sample so far: monotonic time (s) and each inverter's power (W; NaN when it did not answer, and all NaN when
    /// the poll's reads were spread over more than <see cref="MaxPollSpreadS"/> — a device that stalled the poll leaves
    /// the others' values stale, and their sum would be a total that never existed).
    /// </summary>
    public IReadOnlyList<(double T, double[] W)> Samples()
    {
        var samples = new List<(double, double[])>();
        foreach ((_, string line) in _process.Lines)
        {
            if (!line.StartsWith("t=", StringComparison.Ordinal))
            {
                continue;
            }

            int w = line.IndexOf(" w=", StringComparison.Ordinal);
            int dt = line.IndexOf(" dt=", StringComparison.Ordinal);
            double t = double.Parse(line.AsSpan(2, w - 2), CultureInfo.InvariantCulture);
            double[] values = [.. line[(w + 3)..dt].Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture))];
            if (double.Parse(line.AsSpan(dt + 4), CultureInfo.InvariantCulture) > MaxPollSpreadS)
            {
                Array.Fill(values, double.NaN);
            }

            samples.Add((t, values));
        }

        return samples;
    }

    /// <summary>The newest sample.</summary>
    public (double T, double[] W) Latest => Samples() is { Count: > 0 } s ? s[^1] : (0, []);

    public void Dispose() => _process.Dispose();

    /// <summary>
    /// The largest movement of the total power between two samples at most <paramref name="windowS"/> apart, over the
    /// samples in [<paramref name="fromS"/>, <paramref name="toS"/>]; with where it happened.
    /// </summary>
    public static (double MoveW, double AtS) LargestMove(IReadOnlyList<(double T, double[] W)> samples, double fromS, double toS, double windowS = 1.0)
    {
        var s = samples.Where(x => x.T >= fromS && x.T <= toS && x.W.All(double.IsFinite)).Select(x => (x.T, Total: x.W.Sum())).ToList();
        double best = 0, at = fromS;
        for (int i = 0; i < s.Count; i++)
        {
            for (int j = i + 1; j < s.Count && s[j].T - s[i].T <= windowS; j++)
            {
                double move = Math.Abs(s[j].Total - s[i].Total);
                if (move > best)
                {
                    best = move;
                    at = s[i].T;
                }
            }
        }

        return (best, at);
    }
}
