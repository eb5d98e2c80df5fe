using System.Diagnostics;
using System.Globalization;

namespace Edge.Output;

/// <summary>
/// Progress of a long command on standard error: redrawn in place on a terminal (at most 10 times a second),
/// one line per quarter when redirected, nothing when quiet. Work that finishes within two seconds shows nothing.
/// </summary>
public sealed class ProgressLine(TextWriter error, bool interactive, bool quiet)
{
    private static readonly TimeSpan QuietStart = TimeSpan.FromSeconds(2);
    private readonly Stopwatch _sinceStart = Stopwatch.StartNew();
    private readonly Stopwatch _sinceDraw = Stopwatch.StartNew();
    private string _lastLabel = string.Empty;
    private int _lastQuarter = -1;
    private bool _drawn;

    /// <summary>Reports <paramref name="fraction"/> (0–1) of the task named <paramref name="label"/>.</summary>
    public void Report(string label, double fraction)
    {
        if (quiet || _sinceStart.Elapsed < QuietStart)
        {
            _lastLabel = label;
            return;
        }

        string pct = (fraction * 100).ToString("0", CultureInfo.InvariantCulture);
        if (interactive)
        {
            if (_sinceDraw.ElapsedMilliseconds < 100 && fraction < 1 && label == _lastLabel)
            {
                return;
            }

            _sinceDraw.Restart();
            error.Write($"\r{label}: {pct,3} %   ");
            _drawn = true;
        }
        else
        {
            int quarter = (int)(fraction * 4);
            if (label != _lastLabel)
            {
                _lastQuarter = -1;
            }

            if (quarter != _lastQuarter)
            {
                _lastQuarter = quarter;
                error.WriteLine($"{label}: {pct} %");
            }
        }

        _lastLabel = label;
    }

    /// <summary>Ends the progress display (clears the line on a terminal).</summary>
    public void Done()
    {
        if (_drawn)
        {
            error.Write("\r" + new string(' ', 78) + "\r");
            _drawn = false;
        }
    }
}
