using System.Globalization;
using System.Text;
using Edge.Core.Metrics;
using Edge.Core.Replay;

namespace Edge.Replay;

/// <summary>
/// Draws a replay as one self-contained SVG (or an HTML page holding it and the metrics table): four panels over
/// time — power (load, each controller's grid, the smoothing controller's grid target), grid ramp over the ramp
/// window with the ramp limits drawn as red lines, battery power, and SoC with its min/target/max. Dense series are
/// decimated per pixel column to their min/max envelope, so a 10 Hz oscillation over an hour still shows as a band
/// of the right height instead of disappearing.
/// </summary>
public static class ReplayPlot
{
    private const int Width = 1400;
    private const int Left = 90;
    private const int Right = 230;
    private const int PlotWidth = Width - Left - Right;

    private static readonly Dictionary<string, string> Colors = new(StringComparer.Ordinal)
    {
        ["smoothing"] = "#1565c0",
        ["none"] = "#757575",
        ["moving-average"] = "#ef6c00",
        ["low-pass"] = "#2e7d32",
        ["peak-shave"] = "#8e24aa",
    };

    /// <summary>Everything the plot shows.</summary>
    /// <param name="Title">Title line.</param>
    /// <param name="Subtitle">Second line (battery, limits).</param>
    /// <param name="PeriodS">Series period, s.</param>
    /// <param name="LoadW">Load per period, W.</param>
    /// <param name="Runs">Controller runs to draw.</param>
    /// <param name="Metrics">Parameters of the metrics (ramp limits and window are drawn).</param>
    /// <param name="SocMinPct">SoC floor line, %.</param>
    /// <param name="SocTargetPct">SoC target line, %.</param>
    /// <param name="SocMaxPct">SoC ceiling line, %.</param>
    /// <param name="FromS">Start of the time window drawn, s.</param>
    /// <param name="ToS">End of the time window drawn, s.</param>
    public sealed record Input(
        string Title,
        string Subtitle,
        double PeriodS,
        double[] LoadW,
        IReadOnlyList<ReplayRun> Runs,
        MetricsOptions Metrics,
        double SocMinPct,
        double SocTargetPct,
        double SocMaxPct,
        double FromS,
        double ToS);

    /// <summary>Renders the SVG document.</summary>
    public static string Svg(Input input)
    {
        int first = Math.Clamp((int)Math.Floor(input.FromS / input.PeriodS), 0, input.LoadW.Length - 2);
        int last = Math.Clamp((int)Math.Ceiling(input.ToS / input.PeriodS), first + 2, input.LoadW.Length);
        var sb = new StringBuilder(1 << 20);
        int y = 70;
        var panels = new List<(string Title, int Height)>
        {
            ("Power", 330),
            ($"Grid ramp over {Fmt(input.Metrics.RampWindowS)} s windows (red: ramp limit)", 210),
            ("Battery power (+ discharge / − charge)", 210),
            ("State of charge", 170),
        };
        int height = y + panels.Sum(p => p.Height + 67) + 30 + (22 * (input.Runs.Count + 1));
        sb.Append(Inv($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{height}\" viewBox=\"0 0 {Width} {height}\" font-family=\"DejaVu Sans, Arial, sans-serif\" font-size=\"12\">\n"));
        sb.Append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        sb.Append(Inv($"<text x=\"{Left}\" y=\"28\" font-size=\"18\" font-weight=\"bold\">{Esc(input.Title)}</text>\n"));
        sb.Append(Inv($"<text x=\"{Left}\" y=\"50\" fill=\"#444\">{Esc(input.Subtitle)}</text>\n"));

        var axis = new TimeAxis(first * input.PeriodS, (last - 1) * input.PeriodS);
        ReplayRun? smoothing = input.Runs.FirstOrDefault(r => r.Controller == "smoothing");
        // Draw the smoothing controller last, on top of the baselines.
        List<ReplayRun> drawOrder = [.. input.Runs.Where(r => r.Controller != "smoothing"), .. input.Runs.Where(r => r.Controller == "smoothing")];

        // Panel 1: power.
        var power = new List<Series> { new("load", "#bdbdbd", input.LoadW, 2.2, null) };
        foreach (ReplayRun r in drawOrder.Where(r => r.Controller != "none"))
        {
            power.Add(new($"grid · {r.Controller}", ColorOf(r.Controller), r.GridW, r.Controller == "smoothing" ? 1.8 : 1.1, null));
        }

        if (smoothing is not null)
        {
            power.Add(new("grid target · smoothing", "#000000", smoothing.GridTargetW, 1.0, "5,4"));
        }

        y = Panel(sb, panels[0], y, axis, first, last, power, Unit.Power, null);

        // Panel 2: ramp, with the limits as horizontal lines.
        var ramps = drawOrder.Select(r => new Series(r.Controller == "none" ? "none (= load)" : r.Controller, r.Controller == "none" ? "#d0d0d0" : ColorOf(r.Controller), RollingRamp(r.GridW, input.Metrics), r.Controller == "smoothing" ? 1.6 : 1.0, null)).ToList();
        double up = input.Metrics.RampUpWPerS, down = input.Metrics.RampDownWPerS;
        double clip = 4 * Math.Max(up, down);
        var limits = new List<(double Value, string Label, string Color)>
        {
            (up, $"+{Unit.Power.Format(up)}/s", "#d32f2f"),
            (-down, $"−{Unit.Power.Format(down)}/s", "#d32f2f"),
        };
        y = Panel(sb, panels[1], y, axis, first, last, ramps, Unit.Ramp, limits, -clip, clip);

        // Panel 3: battery power.
        var battery = drawOrder.Where(r => r.Controller != "none")
            .Select(r => new Series(r.Controller, ColorOf(r.Controller), r.BatteryW, r.Controller == "smoothing" ? 1.5 : 1.0, null)).ToList();
        y = Panel(sb, panels[2], y, axis, first, last, battery, Unit.Power, [(0, "0", "#9e9e9e")]);

        // Panel 4: SoC.
        var soc = drawOrder.Where(r => r.Controller != "none")
            .Select(r => new Series(r.Controller, ColorOf(r.Controller), r.SocPct, r.Controller == "smoothing" ? 1.5 : 1.0, null)).ToList();
        var socLines = new List<(double Value, string Label, string Color)>
        {
            (input.SocMinPct, $"min {Fmt(input.SocMinPct)} %", "#d32f2f"),
            (input.SocTargetPct, $"target {Fmt(input.SocTargetPct)} %", "#9e9e9e"),
            (input.SocMaxPct, $"max {Fmt(input.SocMaxPct)} %", "#d32f2f"),
        };
        y = Panel(sb, panels[3], y, axis, first, last, soc, Unit.Percent, socLines, 0, 100);

        // Metrics table.
        y += 10;
        string[] head = ["controller", "ramp violation", "max rise", "max fall", "band energy", "peak grid", "throughput", "SoC min–max", "saturated"];
        int[] colX = [0, 130, 250, 360, 470, 580, 690, 810, 930];
        for (int c = 0; c < head.Length; c++)
        {
            sb.Append(Inv($"<text x=\"{Left + colX[c]}\" y=\"{y}\" font-weight=\"bold\">{head[c]}</text>"));
        }

        sb.Append('\n');
        foreach (ReplayRun r in input.Runs)
        {
            y += 22;
            GridMetrics m = r.Metrics;
            string[] cells =
            [
                r.Controller,
                Fmt(m.RampViolationS) + " s",
                Unit.Power.Format(m.MaxRiseWPerS) + "/s",
                Unit.Power.Format(m.MaxFallWPerS) + "/s",
                double.IsFinite(m.BandEnergyRatio) ? m.BandEnergyRatio.ToString("0.###E+0", CultureInfo.InvariantCulture) : "n/a",
                Unit.Power.Format(m.PeakGridW),
                Unit.Energy(m.BatteryThroughputWh),
                $"{m.SocMinPct:F1}–{m.SocMaxPct:F1} %",
                Fmt(m.SaturatedS) + " s",
            ];
            sb.Append(Inv($"<rect x=\"{Left - 14}\" y=\"{y - 9}\" width=\"9\" height=\"9\" fill=\"{ColorOf(r.Controller)}\"/>"));
            for (int c = 0; c < cells.Length; c++)
            {
                sb.Append(Inv($"<text x=\"{Left + colX[c]}\" y=\"{y}\">{Esc(cells[c])}</text>"));
            }

            sb.Append('\n');
        }

        sb.Append("</svg>\n");
        return sb.ToString();
    }

    /// <summary>Renders a self-contained HTML page: the SVG plus a sortable-at-a-glance metrics table.</summary>
    public static string Html(Input input, string metricsTableText)
    {
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
          .Append(Esc(input.Title))
          .Append("</title><style>body{font-family:DejaVu Sans,Arial,sans-serif;margin:16px;color:#222}pre{background:#f5f5f5;padding:10px;overflow:auto}</style></head><body>\n");
        sb.Append(Svg(input));
        sb.Append("<h3>Metrics</h3>\n<pre>").Append(Esc(metricsTableText)).Append("</pre>\n</body></html>\n");
        return sb.ToString();
    }

    /// <summary>Rolling ramp over the ramp window: the larger of the window's rise (positive) or fall (negative), W/s.</summary>
    internal static double[] RollingRamp(double[] gridW, MetricsOptions o)
    {
        int w = RampMetrics.WindowSamples(o);
        var rise = new double[gridW.Length];
        var fall = new double[gridW.Length];
        RampMetrics.Rolling(gridW, w, rise, fall);
        var result = new double[gridW.Length];
        for (int j = 0; j < gridW.Length; j++)
        {
            result[j] = (rise[j] >= fall[j] ? rise[j] : -fall[j]) / (w * o.PeriodS);
        }

        return result;
    }

    private static int Panel(
        StringBuilder sb,
        (string Title, int Height) panel,
        int top,
        TimeAxis axis,
        int first,
        int last,
        List<Series> series,
        Unit unit,
        List<(double Value, string Label, string Color)>? lines,
        double fixedMin = double.NaN,
        double fixedMax = double.NaN)
    {
        int plotTop = top + 22;
        int h = panel.Height;
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        foreach (Series s in series)
        {
            for (int k = first; k < last; k++)
            {
                double v = s.Values[k];
                if (double.IsFinite(v))
                {
                    min = Math.Min(min, v);
                    max = Math.Max(max, v);
                }
            }
        }

        foreach ((double v, _, _) in lines ?? [])
        {
            min = Math.Min(min, v);
            max = Math.Max(max, v);
        }

        if (!double.IsNaN(fixedMin))
        {
            min = Math.Max(min, fixedMin);
            max = Math.Min(max, fixedMax);
            if (unit != Unit.Ramp)
            {
                min = fixedMin;
                max = fixedMax;
            }
        }

        if (!(max > min))
        {
            max = min + 1;
        }

        double pad = (max - min) * 0.05;
        min -= pad;
        max += pad;
        double[] ticks = NiceTicks(min, max, 5);
        double Y(double v) => plotTop + h - ((Math.Clamp(v, min, max) - min) / (max - min) * h);

        sb.Append(Inv($"<text x=\"{Left}\" y=\"{top + 14}\" font-weight=\"bold\">{Esc(panel.Title)}</text>\n"));
        sb.Append(Inv($"<rect x=\"{Left}\" y=\"{plotTop}\" width=\"{PlotWidth}\" height=\"{h}\" fill=\"#fafafa\" stroke=\"#9e9e9e\"/>\n"));
        foreach (double t in ticks)
        {
            double ty = Y(t);
            sb.Append(Inv($"<line x1=\"{Left}\" x2=\"{Left + PlotWidth}\" y1=\"{ty:F1}\" y2=\"{ty:F1}\" stroke=\"#e0e0e0\"/>"));
            sb.Append(Inv($"<text x=\"{Left - 6}\" y=\"{ty + 4:F1}\" text-anchor=\"end\" fill=\"#555\">{Esc(unit.FormatTick(t))}</text>\n"));
        }

        foreach ((double value, double x) in axis.Ticks(Left, PlotWidth))
        {
            sb.Append(Inv($"<line x1=\"{x:F1}\" x2=\"{x:F1}\" y1=\"{plotTop}\" y2=\"{plotTop + h}\" stroke=\"#eeeeee\"/>"));
            sb.Append(Inv($"<text x=\"{x:F1}\" y=\"{plotTop + h + 15}\" text-anchor=\"middle\" fill=\"#555\">{Esc(axis.Format(value))}</text>\n"));
        }

        // Each series decimated to one min/max pair per pixel column.
        int legendY = plotTop + 12;
        foreach (Series s in series)
        {
            sb.Append(Inv($"<path fill=\"none\" stroke=\"{s.Color}\" stroke-width=\"{s.Width:F1}\" stroke-linejoin=\"round\"{(s.Dash is null ? string.Empty : $" stroke-dasharray=\"{s.Dash}\"")} d=\""));
            int columns = PlotWidth;
            bool firstPoint = true;
            for (int c = 0; c < columns; c++)
            {
                int k0 = first + (int)((long)(last - first) * c / columns);
                int k1 = Math.Max(k0 + 1, first + (int)((long)(last - first) * (c + 1) / columns));
                double lo = double.PositiveInfinity, hi = double.NegativeInfinity;
                for (int k = k0; k < k1 && k < last; k++)
                {
                    double v = s.Values[k];
                    if (double.IsFinite(v))
                    {
                        lo = Math.Min(lo, v);
                        hi = Math.Max(hi, v);
                    }
                }

                if (!double.IsFinite(lo))
                {
                    continue;
                }

                double x = Left + c + 0.5;
                sb.Append(Inv($"{(firstPoint ? "M" : "L")}{x:F1},{Y(hi):F1}"));
                if (hi != lo)
                {
                    sb.Append(Inv($"L{x:F1},{Y(lo):F1}"));
                }

                firstPoint = false;
            }

            sb.Append("\"/>\n");
            sb.Append(Inv($"<line x1=\"{Left + PlotWidth + 6}\" x2=\"{Left + PlotWidth + 26}\" y1=\"{legendY - 4}\" y2=\"{legendY - 4}\" stroke=\"{s.Color}\" stroke-width=\"2.5\"{(s.Dash is null ? string.Empty : $" stroke-dasharray=\"{s.Dash}\"")}/>"));
            sb.Append(Inv($"<text x=\"{Left + PlotWidth + 32}\" y=\"{legendY}\">{Esc(s.Name)}</text>\n"));
            legendY += 16;
        }

        // Limit lines on top of the series, so they stay visible.
        foreach ((double value, string label, string color) in lines ?? [])
        {
            double ly = Y(value);
            sb.Append(Inv($"<line x1=\"{Left}\" x2=\"{Left + PlotWidth}\" y1=\"{ly:F1}\" y2=\"{ly:F1}\" stroke=\"{color}\" stroke-width=\"1.6\" stroke-dasharray=\"6,4\"/>"));
            sb.Append(Inv($"<text x=\"{Left + PlotWidth - 6}\" y=\"{ly - 4:F1}\" text-anchor=\"end\" fill=\"{color}\" font-weight=\"bold\">{Esc(label)}</text>\n"));
        }

        sb.Append(Inv($"<text x=\"{Left + (PlotWidth / 2)}\" y=\"{plotTop + h + 30}\" text-anchor=\"middle\" fill=\"#555\">{Esc(axis.Label)}</text>\n"));
        return plotTop + h + 45;
    }

    private static double[] NiceTicks(double min, double max, int count)
    {
        double raw = (max - min) / count;
        double mag = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double step = new[] { 1, 2, 2.5, 5, 10 }.Select(f => f * mag).First(s => s >= raw);
        var ticks = new List<double>();
        for (double t = Math.Ceiling(min / step) * step; t <= max + (step * 1e-9); t += step)
        {
            ticks.Add(Math.Abs(t) < step * 1e-9 ? 0 : t);
        }

        return [.. ticks];
    }

    private static string ColorOf(string controller) => Colors.TryGetValue(controller, out string? c) ? c : "#000000";

    private static string Fmt(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    private static string Esc(string s) => s.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal).Replace("\"", "&quot;", StringComparison.Ordinal);

    private sealed record Series(string Name, string Color, double[] Values, double Width, string? Dash);

    /// <summary>Formatting of a panel's values.</summary>
    internal sealed class Unit
    {
        public static readonly Unit Power = new("W");
        public static readonly Unit Ramp = new("W/s");
        public static readonly Unit Percent = new("%");

        private readonly string _symbol;

        private Unit(string symbol) => _symbol = symbol;

        public static string Energy(double wh) =>
            Math.Abs(wh) >= 1e6 ? $"{(wh / 1e6).ToString("0.##", CultureInfo.InvariantCulture)} MWh"
            : Math.Abs(wh) >= 1e3 ? $"{(wh / 1e3).ToString("0.##", CultureInfo.InvariantCulture)} kWh"
            : $"{wh.ToString("0.#", CultureInfo.InvariantCulture)} Wh";

        public string Format(double v)
        {
            double a = Math.Abs(v);
            return a >= 1e9 ? $"{(v / 1e9).ToString("0.##", CultureInfo.InvariantCulture)} GW"
                : a >= 1e6 ? $"{(v / 1e6).ToString("0.##", CultureInfo.InvariantCulture)} MW"
                : a >= 1e3 ? $"{(v / 1e3).ToString("0.##", CultureInfo.InvariantCulture)} kW"
                : $"{v.ToString("0.#", CultureInfo.InvariantCulture)} W";
        }

        public string FormatTick(double v) => _symbol switch
        {
            "%" => v.ToString("0.#", CultureInfo.InvariantCulture) + " %",
            "W/s" => Format(v) + "/s",
            _ => Format(v),
        };
    }

    /// <summary>Time axis in seconds, minutes or hours, whichever reads best.</summary>
    private sealed class TimeAxis(double fromS, double toS)
    {
        private readonly double _scale = toS - fromS > 7200 ? 3600 : toS - fromS > 600 ? 60 : 1;

        public string Label => _scale switch { 3600 => "time (h)", 60 => "time (min)", _ => "time (s)" };

        public string Format(double s) => (s / _scale).ToString("0.##", CultureInfo.InvariantCulture);

        public IEnumerable<(double Value, double X)> Ticks(int left, int width)
        {
            foreach (double t in NiceTicks(fromS / _scale, toS / _scale, 10))
            {
                double s = t * _scale;
                if (s >= fromS && s <= toS)
                {
                    yield return (s, left + ((s - fromS) / (toS - fromS) * width));
                }
            }
        }
    }
}
