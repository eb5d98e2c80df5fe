using System.Globalization;
using System.Text;
using Edge.Core.Metrics;

namespace Edge.Replay;

/// <summary>
/// Draws a replay as one self-contained SVG (or an HTML page holding it and the metrics table), from the per-pixel
/// min/max columns a <see cref="PlotRecorder"/> kept while the run went, so its size does not depend on the trace's
/// length. Panels over time: power (load, grids, the grid target), grid ramp over the ramp window with the ramp limit
/// and limit + dynamic range, battery setpoint vs actual, SoC, cumulative battery throughput; then the spectrum (load
/// and each grid's Welch PSD, the band shaded) and the metrics table. The controller under study — the first one
/// replayed — is drawn last and strong, the others dimmed beneath it; its ramp violations (red) and battery
/// saturation (amber) shade the time panels, and an events strip shows both for every controller. Values beyond a
/// panel's range are never clipped silently: the ramp panel is bounded at 4 × (limit + dynamic range) and marks
/// every clipped column with a triangle and the true peak in its label. Labels sit on top of the data with a halo.
/// </summary>
public static class ReplayPlot
{
    /// <summary>Width of the plotting area, pixels (one recorder column each).</summary>
    public const int PlotWidth = Width - Left - Right;

    private const int Width = 1400;
    private const int Left = 90;
    private const int Right = 250;
    private const double DimOpacity = 0.3;

    private static readonly Dictionary<string, string> Colors = new(StringComparer.Ordinal)
    {
        ["smoothing"] = "#1565c0",
        ["none"] = "#616161",
        ["moving-average"] = "#ef6c00",
        ["low-pass"] = "#2e7d32",
        ["peak-shave"] = "#8e24aa",
    };

    /// <summary>Everything the plot shows.</summary>
    /// <param name="Title">Title line.</param>
    /// <param name="Subtitle">Second line (battery, limits).</param>
    /// <param name="Columns">The per-column envelopes recorded during the run.</param>
    /// <param name="Runs">Each controller's metrics and grid spectrum, in the recorder's order; the first is under study.</param>
    /// <param name="LoadSpectrum">The load's Welch PSD.</param>
    /// <param name="Metrics">Parameters of the metrics (limits, window, band).</param>
    /// <param name="SocMinPct">SoC floor line, %.</param>
    /// <param name="SocTargetPct">SoC target line, %.</param>
    /// <param name="SocMaxPct">SoC ceiling line, %.</param>
    public sealed record Input(
        string Title,
        string Subtitle,
        PlotRecorder Columns,
        IReadOnlyList<Run> Runs,
        Welch.Spectrum LoadSpectrum,
        MetricsOptions Metrics,
        double SocMinPct,
        double SocTargetPct,
        double SocMaxPct);

    /// <summary>One controller's results.</summary>
    /// <param name="Controller">Name.</param>
    /// <param name="Metrics">Its DESIGN §5 metrics.</param>
    /// <param name="GridSpectrum">Its grid's Welch PSD.</param>
    public sealed record Run(string Controller, GridMetrics Metrics, Welch.Spectrum GridSpectrum);

    /// <summary>Renders the SVG document.</summary>
    public static string Svg(Input input)
    {
        ArgumentNullException.ThrowIfNull(input);
        PlotRecorder rec = input.Columns;
        var sb = new StringBuilder(1 << 18);
        int count = rec.Runs.Count;
        // Draw order: the others first (dimmed), the controller under study last.
        var order = Enumerable.Range(1, count - 1).Append(0).ToList();
        PlotRecorder.RunColumns study = rec.Runs[0];
        string studyName = study.Controller;
        var axis = new TimeAxis(rec.FromS, rec.ToS);
        const int eventsHeight = 14;
        int[] heights = [300, 220, 200, 150, 150, (count * eventsHeight) + 6, 280];
        const int leversHeight = 200;
        int tierHeight = (count * eventsHeight) + 6;
        int height = 78 + heights.Sum(h => h + 70) + 40 + (22 * (count + 1)) + (rec.HasLevers ? leversHeight + 70 + tierHeight + 70 : 0);
        sb.Append(Inv($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{height}\" viewBox=\"0 0 {Width} {height}\" font-family=\"DejaVu Sans, Arial, sans-serif\" font-size=\"12\">\n"));
        sb.Append("<style>.halo{paint-order:stroke;stroke:#fff;stroke-width:3.5px;stroke-linejoin:round}</style>\n");
        sb.Append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        sb.Append(Inv($"<text x=\"{Left}\" y=\"28\" font-size=\"18\" font-weight=\"bold\">{Esc(input.Title)}</text>\n"));
        sb.Append(Inv($"<text x=\"{Left}\" y=\"50\" fill=\"#444\">{Esc(input.Subtitle)}</text>\n"));
        sb.Append(Inv($"<text x=\"{Left}\" y=\"68\" fill=\"#444\">under study: {Esc(studyName)} (drawn last; others dimmed). Shading: red = its ramp window breaks the limit, amber = its battery at a limit.</text>\n"));
        int y = 82;

        // 1. Power.
        var power = new List<Series> { new("load", "#9e9e9e", rec.Load, 2.0, null, 1) };
        foreach (int i in order.Where(i => rec.Runs[i].Controller != "none" || i == 0))
        {
            PlotRecorder.RunColumns r = rec.Runs[i];
            power.Add(new($"grid · {r.Controller}", ColorOf(r.Controller), r.Grid, i == 0 ? 1.8 : 1.0, null, i == 0 ? 1 : DimOpacity));
        }

        power.Add(new($"grid target · {studyName}", "#000000", study.GridTarget, 1.0, "5,4", 1));
        y = Panel(sb, "Power: load and grid", heights[0], y, axis, rec, power, Unit.Power, [], double.NaN, double.NaN, study);
        if (rec.HasLevers)
        {
            // 1b. Levers: what the flexible loads drew and what the racks drew under GPU caps (below the load when they bind).
            var levers = new List<Series> { new("racks' load (trace)", "#9e9e9e", rec.Load, 1.6, null, 1) };
            foreach (int i in order)
            {
                PlotRecorder.RunColumns r = rec.Runs[i];
                levers.Add(new($"racks drawn · {r.Controller}", ColorOf(r.Controller), r.Racks, i == 0 ? 1.4 : 0.9, "5,3", i == 0 ? 1 : DimOpacity));
                levers.Add(new($"flexible loads · {r.Controller}", i == 0 ? "#2e7d32" : ColorOf(r.Controller), r.Flex, i == 0 ? 1.8 : 0.9, null, i == 0 ? 1 : DimOpacity));
            }

            y = Panel(sb, "Levers: flexible loads' level and the racks under GPU caps", leversHeight, y, axis, rec, levers, Unit.Power, [new(0, "0", "#9e9e9e", null)], double.NaN, double.NaN, study);
            y = Tiers(sb, tierHeight, y, axis, rec, eventsHeight);
        }

        // 2. Ramp in W/s, bounded at 4 × (limit + dynamic range) with clipping marked.
        double windowS = input.Metrics.RampWindowS;
        double up = input.Metrics.RampUpWPerS, down = input.Metrics.RampDownWPerS, dr = input.Metrics.DynamicRangeW / windowS;
        var ramps = order.Select(i => new Series(rec.Runs[i].Controller, ColorOf(rec.Runs[i].Controller), Scaled(rec.Runs[i].RampW, 1 / windowS), i == 0 ? 1.6 : 0.9, null, i == 0 ? 1 : DimOpacity)).ToList();
        var rampLines = new List<Line>
        {
            new(up, $"ramp limit +{Unit.Power.Format(up)}/s", "#d32f2f", "6,4"),
            new(-down, $"ramp limit −{Unit.Power.Format(down)}/s", "#d32f2f", "6,4"),
        };
        if (dr > 0)
        {
            rampLines.Add(new(up + dr, $"limit + dynamic range {Unit.Power.Format(up + dr)}/s", "#ff8f00", "2,3"));
            rampLines.Add(new(-(down + dr), $"−{Unit.Power.Format(down + dr)}/s", "#ff8f00", "2,3"));
        }

        double bound = 4 * Math.Max(up, down) + (4 * dr);
        y = Panel(sb, $"Grid ramp: largest rise (+) / fall (−) within each {Fmt(windowS)} s window, per second", heights[1], y, axis, rec, ramps, Unit.Ramp, rampLines, -bound, bound, study);

        // 3. Battery: setpoint vs actual for the controller under study, actual for the others.
        var battery = new List<Series>();
        foreach (int i in order.Where(i => rec.Runs[i].Controller != "none"))
        {
            PlotRecorder.RunColumns r = rec.Runs[i];
            battery.Add(new($"actual · {r.Controller}", ColorOf(r.Controller), r.Battery, i == 0 ? 1.5 : 0.9, null, i == 0 ? 1 : DimOpacity));
        }

        battery.Add(new($"setpoint · {studyName}", "#000000", study.Setpoint, 1.0, "4,3", 0.85));
        y = Panel(sb, "Battery power (+ discharge / − charge): setpoint vs actual", heights[2], y, axis, rec, battery, Unit.Power, [new(0, "0", "#9e9e9e", null)], double.NaN, double.NaN, study);

        // 4. SoC.
        var soc = order.Where(i => rec.Runs[i].Controller != "none")
            .Select(i => new Series(rec.Runs[i].Controller, ColorOf(rec.Runs[i].Controller), rec.Runs[i].Soc, i == 0 ? 1.5 : 1.0, null, i == 0 ? 1 : DimOpacity)).ToList();
        var socLines = new List<Line>
        {
            new(input.SocMinPct, $"min {Fmt(input.SocMinPct)} %", "#d32f2f", "6,4"),
            new(input.SocTargetPct, $"target {Fmt(input.SocTargetPct)} %", "#757575", "6,4"),
            new(input.SocMaxPct, $"max {Fmt(input.SocMaxPct)} %", "#d32f2f", "6,4"),
        };
        y = Panel(sb, "State of charge", heights[3], y, axis, rec, soc, Unit.Percent, socLines, 0, 100, study);

        // 5. Cumulative throughput.
        var throughput = order.Where(i => rec.Runs[i].Controller != "none")
            .Select(i => new Series(rec.Runs[i].Controller, ColorOf(rec.Runs[i].Controller), rec.Runs[i].Throughput, i == 0 ? 1.6 : 1.0, null, i == 0 ? 1 : DimOpacity)).ToList();
        y = Panel(sb, "Cumulative battery throughput ∫|battery| dt", heights[4], y, axis, rec, throughput, Unit.EnergyUnit, [], double.NaN, double.NaN, null);

        // 6. Events strip: ramp violation and saturation spans of every controller.
        y = Events(sb, heights[5], y, axis, rec, eventsHeight);

        // 7. Spectrum.
        y = Spectrum(sb, heights[6], y, input, order);

        // Metrics table.
        y += 10;
        string[] head = ["controller", "ramp violation", "max rise", "max fall", "band energy", "peak grid", "throughput", "SoC min–max", "saturated"];
        int[] colX = [0, 130, 250, 360, 470, 580, 690, 810, 930];
        for (int c = 0; c < head.Length; c++)
        {
            sb.Append(Inv($"<text x=\"{Left + colX[c]}\" y=\"{y}\" font-weight=\"bold\">{head[c]}</text>"));
        }

        sb.Append('\n');
        foreach (Run r in input.Runs)
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
                sb.Append(Inv($"<text x=\"{Left + colX[c]}\" y=\"{y}\"{(r.Controller == studyName ? " font-weight=\"bold\"" : string.Empty)}>{Esc(cells[c])}</text>"));
            }

            sb.Append('\n');
        }

        sb.Append("</svg>\n");
        return sb.ToString();
    }

    /// <summary>Renders a self-contained HTML page: the SVG plus the metrics table as text.</summary>
    public static string Html(Input input, string metricsTableText)
    {
        ArgumentNullException.ThrowIfNull(input);
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
          .Append(Esc(input.Title))
          .Append("</title><style>body{font-family:DejaVu Sans,Arial,sans-serif;margin:16px;color:#222}pre{background:#f5f5f5;padding:10px;overflow:auto}</style></head><body>\n");
        sb.Append(Svg(input));
        sb.Append("<h3>Metrics</h3>\n<pre>").Append(Esc(metricsTableText)).Append("</pre>\n</body></html>\n");
        return sb.ToString();
    }

    private static PlotRecorder.Envelope Scaled(PlotRecorder.Envelope e, double factor)
    {
        var s = new PlotRecorder.Envelope(e.Min.Length);
        for (int c = 0; c < e.Min.Length; c++)
        {
            s.Min[c] = e.Min[c] * factor;
            s.Max[c] = e.Max[c] * factor;
        }

        return s;
    }

    private static int Panel(
        StringBuilder sb,
        string title,
        int h,
        int top,
        TimeAxis axis,
        PlotRecorder rec,
        List<Series> series,
        Unit unit,
        List<Line> lines,
        double fixedMin,
        double fixedMax,
        PlotRecorder.RunColumns? shade)
    {
        int plotTop = top + 22;
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        foreach (Series s in series)
        {
            for (int c = 0; c < rec.Columns; c++)
            {
                if (!double.IsNaN(s.Values.Min[c]))
                {
                    min = Math.Min(min, s.Values.Min[c]);
                    max = Math.Max(max, s.Values.Max[c]);
                }
            }
        }

        double dataMin = min, dataMax = max;
        foreach (Line l in lines)
        {
            min = Math.Min(min, l.Value);
            max = Math.Max(max, l.Value);
        }

        bool bounded = !double.IsNaN(fixedMin);
        if (bounded)
        {
            // A fixed range: the percent panel always shows 0–100; the ramp panel shrinks to the data if it fits.
            min = unit == Unit.Percent ? fixedMin : Math.Max(min, fixedMin);
            max = unit == Unit.Percent ? fixedMax : Math.Min(max, fixedMax);
        }

        if (!(max > min))
        {
            max = min + 1;
        }

        double pad = (max - min) * 0.06;
        min -= pad;
        max += pad;
        double[] ticks = NiceTicks(min, max, 5);
        double Y(double v) => plotTop + h - ((Math.Clamp(v, min, max) - min) / (max - min) * h);

        sb.Append(Inv($"<text x=\"{Left}\" y=\"{top + 14}\" font-weight=\"bold\">{Esc(title)}</text>\n"));
        sb.Append(Inv($"<rect x=\"{Left}\" y=\"{plotTop}\" width=\"{PlotWidth}\" height=\"{h}\" fill=\"#fafafa\" stroke=\"#9e9e9e\"/>\n"));
        if (shade is not null)
        {
            Spans(sb, shade.Saturated, plotTop, h, "#ffb300", 0.16);
            Spans(sb, shade.Violating, plotTop, h, "#e53935", 0.13);
        }

        foreach (double t in ticks)
        {
            double ty = Y(t);
            sb.Append(Inv($"<line x1=\"{Left}\" x2=\"{Left + PlotWidth}\" y1=\"{ty:F1}\" y2=\"{ty:F1}\" stroke=\"#e0e0e0\"/>"));
            sb.Append(Inv($"<text x=\"{Left - 6}\" y=\"{ty + 4:F1}\" text-anchor=\"end\" fill=\"#555\">{Esc(unit.FormatTick(t))}</text>\n"));
        }

        TimeTicks(sb, axis, plotTop, h);
        int legendY = plotTop + 12;
        foreach (Series s in series)
        {
            sb.Append(Inv($"<path fill=\"none\" stroke=\"{s.Color}\" stroke-width=\"{s.Width:F1}\" stroke-opacity=\"{s.Opacity:0.##}\" stroke-linejoin=\"round\"{Dash(s.Dash)} d=\""));
            bool first = true;
            for (int c = 0; c < rec.Columns; c++)
            {
                double lo = s.Values.Min[c], hi = s.Values.Max[c];
                if (double.IsNaN(lo))
                {
                    continue;
                }

                double x = Left + c + 0.5;
                sb.Append(Inv($"{(first ? "M" : "L")}{x:F1},{Y(hi):F1}"));
                if (hi != lo)
                {
                    sb.Append(Inv($"V{Y(lo):F1}"));
                }

                first = false;
            }

            sb.Append("\"/>\n");
            if (bounded && unit != Unit.Percent)
            {
                ClipMarks(sb, s, rec.Columns, min, max, plotTop, h);
            }

            sb.Append(Inv($"<line x1=\"{Left + PlotWidth + 8}\" x2=\"{Left + PlotWidth + 28}\" y1=\"{legendY - 4}\" y2=\"{legendY - 4}\" stroke=\"{s.Color}\" stroke-opacity=\"{s.Opacity:0.##}\" stroke-width=\"2.5\"{Dash(s.Dash)}/>"));
            sb.Append(Inv($"<text x=\"{Left + PlotWidth + 34}\" y=\"{legendY}\">{Esc(s.Name)}</text>\n"));
            legendY += 16;
        }

        // Limit lines and their labels on top of the data, labels with a halo.
        foreach (Line l in lines)
        {
            double ly = Y(l.Value);
            sb.Append(Inv($"<line x1=\"{Left}\" x2=\"{Left + PlotWidth}\" y1=\"{ly:F1}\" y2=\"{ly:F1}\" stroke=\"{l.Color}\" stroke-width=\"1.6\"{Dash(l.Dash)}/>"));
            double labelY = l.Value >= 0 ? ly - 5 : ly + 14;
            sb.Append(Inv($"<text class=\"halo\" x=\"{Left + PlotWidth - 6}\" y=\"{labelY:F1}\" text-anchor=\"end\" fill=\"{l.Color}\" font-weight=\"bold\">{Esc(l.Label)}</text>\n"));
        }

        if (bounded && unit != Unit.Percent && (dataMax > max || dataMin < min))
        {
            string peak = $"clipped at ±{unit.FormatTick(max - pad)} (▲▼ marks); data reach {unit.FormatTick(dataMax)} / {unit.FormatTick(dataMin)}";
            sb.Append(Inv($"<text class=\"halo\" x=\"{Left + 6}\" y=\"{plotTop + 14}\" fill=\"#b71c1c\">{Esc(peak)}</text>\n"));
        }

        sb.Append(Inv($"<text x=\"{Left + (PlotWidth / 2)}\" y=\"{plotTop + h + 30}\" text-anchor=\"middle\" fill=\"#555\">{Esc(axis.Label)}</text>\n"));
        return plotTop + h + 45;
    }

    /// <summary>A triangle at the panel's edge over each column whose values go beyond it.</summary>
    private static void ClipMarks(StringBuilder sb, Series s, int columns, double min, double max, int plotTop, int h)
    {
        var d = new StringBuilder();
        for (int c = 0; c < columns; c++)
        {
            double x = Left + c + 0.5;
            if (s.Values.Max[c] > max)
            {
                d.Append(Inv($"M{x - 3:F1},{plotTop + 6}L{x:F1},{plotTop}L{x + 3:F1},{plotTop + 6}Z"));
            }

            if (s.Values.Min[c] < min)
            {
                d.Append(Inv($"M{x - 3:F1},{plotTop + h - 6}L{x:F1},{plotTop + h}L{x + 3:F1},{plotTop + h - 6}Z"));
            }
        }

        if (d.Length > 0)
        {
            sb.Append(Inv($"<path fill=\"{s.Color}\" fill-opacity=\"{s.Opacity:0.##}\" d=\"{d}\"/>\n"));
        }
    }

    /// <summary>Shades the runs of flagged columns as rectangles over the panel's height.</summary>
    private static void Spans(StringBuilder sb, bool[] flags, double top, double h, string color, double opacity)
    {
        for (int c = 0; c < flags.Length; c++)
        {
            if (!flags[c])
            {
                continue;
            }

            int start = c;
            while (c + 1 < flags.Length && flags[c + 1])
            {
                c++;
            }

            sb.Append(Inv($"<rect x=\"{Left + start}\" y=\"{top:F1}\" width=\"{c - start + 1}\" height=\"{h:F1}\" fill=\"{color}\" fill-opacity=\"{opacity:0.##}\"/>"));
        }

        sb.Append('\n');
    }

    private static int Events(StringBuilder sb, int h, int top, TimeAxis axis, PlotRecorder rec, int rowHeight)
    {
        int plotTop = top + 22;
        sb.Append(Inv($"<text x=\"{Left}\" y=\"{top + 14}\" font-weight=\"bold\">Events: ramp window over the limit (red, upper half) and battery at a limit (amber, lower half), per controller</text>\n"));
        sb.Append(Inv($"<rect x=\"{Left}\" y=\"{plotTop}\" width=\"{PlotWidth}\" height=\"{h}\" fill=\"#fafafa\" stroke=\"#9e9e9e\"/>\n"));
        TimeTicks(sb, axis, plotTop, h);
        for (int i = 0; i < rec.Runs.Count; i++)
        {
            PlotRecorder.RunColumns r = rec.Runs[i];
            double rowTop = plotTop + 3 + (i * rowHeight);
            sb.Append(Inv($"<line x1=\"{Left}\" x2=\"{Left + PlotWidth}\" y1=\"{rowTop + (rowHeight / 2) - 0.5:F1}\" y2=\"{rowTop + (rowHeight / 2) - 0.5:F1}\" stroke=\"#e0e0e0\"/>"));
            Spans(sb, r.Violating, rowTop, (rowHeight / 2) - 1, "#e53935", 0.9);
            Spans(sb, r.Saturated, rowTop + (rowHeight / 2), (rowHeight / 2) - 1, "#ffb300", 0.9);
            sb.Append(Inv($"<text x=\"{Left + PlotWidth + 8}\" y=\"{rowTop + (rowHeight / 2) + 3:F1}\" fill=\"{ColorOf(r.Controller)}\"{(i == 0 ? " font-weight=\"bold\"" : string.Empty)}>{Esc(r.Controller)}</text>\n"));
        }

        sb.Append(Inv($"<text x=\"{Left + (PlotWidth / 2)}\" y=\"{plotTop + h + 30}\" text-anchor=\"middle\" fill=\"#555\">{Esc(axis.Label)}</text>\n"));
        return plotTop + h + 45;
    }

    private static readonly string[] TierColors = ["#fdd835", "#fb8c00", "#e53935", "#6a1b9a"];

    private static int Tiers(StringBuilder sb, int h, int top, TimeAxis axis, PlotRecorder rec, int rowHeight)
    {
        int plotTop = top + 22;
        sb.Append(Inv($"<text x=\"{Left}\" y=\"{top + 14}\" font-weight=\"bold\">Backstop tier per controller: 1 alarm (yellow), 2 GPU smoothing (orange), 3 flexible loads (red), 4 request throttling (purple)</text>\n"));
        sb.Append(Inv($"<rect x=\"{Left}\" y=\"{plotTop}\" width=\"{PlotWidth}\" height=\"{h}\" fill=\"#fafafa\" stroke=\"#9e9e9e\"/>\n"));
        TimeTicks(sb, axis, plotTop, h);
        for (int i = 0; i < rec.Runs.Count; i++)
        {
            PlotRecorder.RunColumns r = rec.Runs[i];
            double rowTop = plotTop + 3 + (i * rowHeight);
            for (int tier = 1; tier <= TierColors.Length; tier++)
            {
                bool[] at = new bool[r.Tier.Length];
                for (int c = 0; c < at.Length; c++)
                {
                    at[c] = r.Tier[c] == tier;
                }

                Spans(sb, at, rowTop, rowHeight - 2, TierColors[tier - 1], 0.9);
            }

            sb.Append(Inv($"<text x=\"{Left + PlotWidth + 8}\" y=\"{rowTop + (rowHeight / 2) + 3:F1}\" fill=\"{ColorOf(r.Controller)}\"{(i == 0 ? " font-weight=\"bold\"" : string.Empty)}>{Esc(r.Controller)}</text>\n"));
        }

        sb.Append(Inv($"<text x=\"{Left + (PlotWidth / 2)}\" y=\"{plotTop + h + 30}\" text-anchor=\"middle\" fill=\"#555\">{Esc(axis.Label)}</text>\n"));
        return plotTop + h + 45;
    }

    /// <summary>Load and grid PSDs on log–log axes, the band shaded; each curve reduced to min/max per pixel column.</summary>
    private static int Spectrum(StringBuilder sb, int h, int top, Input input, List<int> order)
    {
        int plotTop = top + 22;
        Welch.Spectrum load = input.LoadSpectrum;
        double fLow = load.BinWidthHz, fHigh = load.FrequenciesHz[^1];
        if (!(fHigh > fLow))
        {
            return top;
        }

        double lx0 = Math.Log10(fLow), lx1 = Math.Log10(fHigh);
        double X(double f) => Left + ((Math.Log10(f) - lx0) / (lx1 - lx0) * PlotWidth);
        double peak = 0;
        foreach (double d in load.DensityPerHz)
        {
            peak = Math.Max(peak, d);
        }

        foreach (Run r in input.Runs)
        {
            foreach (double d in r.GridSpectrum.DensityPerHz)
            {
                peak = Math.Max(peak, d);
            }
        }

        if (!(peak > 0))
        {
            return top;
        }

        double ly1 = Math.Ceiling(Math.Log10(peak)), ly0 = ly1 - 14;
        double Y(double d) => plotTop + h - ((Math.Clamp(Math.Log10(Math.Max(d, 1e-300)), ly0, ly1) - ly0) / (ly1 - ly0) * h);
        sb.Append(Inv($"<text x=\"{Left}\" y=\"{top + 14}\" font-weight=\"bold\">{Esc($"Spectrum: Welch PSD ({Fmt(1 / load.BinWidthHz)} s Hann segments, {load.Segments} averaged), band {Fmt(input.Metrics.BandLowHz)}–{Fmt(input.Metrics.EffectiveBandHighHz)} Hz shaded")}</text>\n"));
        sb.Append(Inv($"<rect x=\"{Left}\" y=\"{plotTop}\" width=\"{PlotWidth}\" height=\"{h}\" fill=\"#fafafa\" stroke=\"#9e9e9e\"/>\n"));
        double bx0 = X(Math.Max(input.Metrics.BandLowHz, fLow)), bx1 = X(Math.Min(input.Metrics.EffectiveBandHighHz, fHigh));
        if (bx1 > bx0)
        {
            sb.Append(Inv($"<rect x=\"{bx0:F1}\" y=\"{plotTop}\" width=\"{bx1 - bx0:F1}\" height=\"{h}\" fill=\"#fff3e0\"/>\n"));
        }

        for (double ly = ly0; ly <= ly1; ly += 2)
        {
            double ty = Y(Math.Pow(10, ly));
            sb.Append(Inv($"<line x1=\"{Left}\" x2=\"{Left + PlotWidth}\" y1=\"{ty:F1}\" y2=\"{ty:F1}\" stroke=\"#e0e0e0\"/>"));
            sb.Append(Inv($"<text x=\"{Left - 6}\" y=\"{ty + 4:F1}\" text-anchor=\"end\" fill=\"#555\">1e{ly:0} W²/Hz</text>\n"));
        }

        for (double lf = Math.Ceiling(lx0); lf <= lx1; lf++)
        {
            double tx = X(Math.Pow(10, lf));
            sb.Append(Inv($"<line x1=\"{tx:F1}\" x2=\"{tx:F1}\" y1=\"{plotTop}\" y2=\"{plotTop + h}\" stroke=\"#e0e0e0\"/>"));
            sb.Append(Inv($"<text x=\"{tx:F1}\" y=\"{plotTop + h + 15}\" text-anchor=\"middle\" fill=\"#555\">{Fmt(Math.Pow(10, lf))} Hz</text>\n"));
        }

        var curves = new List<(string Name, string Color, Welch.Spectrum S, double Width, double Opacity)> { ("load", "#9e9e9e", load, 2.0, 1) };
        curves.AddRange(order.Where(i => input.Runs[i].Controller != "none" || i == 0)
            .Select(i => ($"grid · {input.Runs[i].Controller}", ColorOf(input.Runs[i].Controller), input.Runs[i].GridSpectrum, i == 0 ? 1.6 : 1.0, i == 0 ? 1 : DimOpacity)));
        int legendY = plotTop + 12;
        foreach ((string name, string color, Welch.Spectrum s, double width, double opacity) in curves)
        {
            var lo = new double[PlotWidth];
            var hi = new double[PlotWidth];
            Array.Fill(lo, double.NaN);
            Array.Fill(hi, double.NaN);
            for (int k = 1; k < s.FrequenciesHz.Length; k++)
            {
                int c = Math.Clamp((int)(X(s.FrequenciesHz[k]) - Left), 0, PlotWidth - 1);
                double d = s.DensityPerHz[k];
                lo[c] = double.IsNaN(lo[c]) ? d : Math.Min(lo[c], d);
                hi[c] = double.IsNaN(hi[c]) ? d : Math.Max(hi[c], d);
            }

            sb.Append(Inv($"<path fill=\"none\" stroke=\"{color}\" stroke-width=\"{width:F1}\" stroke-opacity=\"{opacity:0.##}\" stroke-linejoin=\"round\" d=\""));
            bool first = true;
            for (int c = 0; c < PlotWidth; c++)
            {
                if (double.IsNaN(lo[c]))
                {
                    continue;
                }

                double x = Left + c + 0.5;
                sb.Append(Inv($"{(first ? "M" : "L")}{x:F1},{Y(hi[c]):F1}"));
                if (hi[c] != lo[c])
                {
                    sb.Append(Inv($"V{Y(lo[c]):F1}"));
                }

                first = false;
            }

            sb.Append("\"/>\n");
            sb.Append(Inv($"<line x1=\"{Left + PlotWidth + 8}\" x2=\"{Left + PlotWidth + 28}\" y1=\"{legendY - 4}\" y2=\"{legendY - 4}\" stroke=\"{color}\" stroke-opacity=\"{opacity:0.##}\" stroke-width=\"2.5\"/>"));
            sb.Append(Inv($"<text x=\"{Left + PlotWidth + 34}\" y=\"{legendY}\">{Esc(name)}</text>\n"));
            legendY += 16;
        }

        sb.Append(Inv($"<text class=\"halo\" x=\"{bx0 + 4:F1}\" y=\"{plotTop + 14}\" fill=\"#e65100\" font-weight=\"bold\">band</text>\n"));
        sb.Append(Inv($"<text x=\"{Left + (PlotWidth / 2)}\" y=\"{plotTop + h + 30}\" text-anchor=\"middle\" fill=\"#555\">frequency (Hz, log)</text>\n"));
        return plotTop + h + 45;
    }

    private static void TimeTicks(StringBuilder sb, TimeAxis axis, int plotTop, int h)
    {
        foreach ((double value, double x) in axis.Ticks(Left, PlotWidth))
        {
            sb.Append(Inv($"<line x1=\"{x:F1}\" x2=\"{x:F1}\" y1=\"{plotTop}\" y2=\"{plotTop + h}\" stroke=\"#eeeeee\"/>"));
            sb.Append(Inv($"<text x=\"{x:F1}\" y=\"{plotTop + h + 15}\" text-anchor=\"middle\" fill=\"#555\">{Esc(axis.Format(value))}</text>\n"));
        }
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

    private static string Dash(string? dash) => dash is null ? string.Empty : $" stroke-dasharray=\"{dash}\"";

    private static string ColorOf(string controller) => Colors.TryGetValue(controller, out string? c) ? c : "#000000";

    private static string Fmt(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    private static string Esc(string s) => s.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal).Replace("\"", "&quot;", StringComparison.Ordinal);

    private sealed record Series(string Name, string Color, PlotRecorder.Envelope Values, double Width, string? Dash, double Opacity);

    private sealed record Line(double Value, string Label, string Color, string? Dash);

    /// <summary>Formatting of a panel's values.</summary>
    internal sealed class Unit
    {
        public static readonly Unit Power = new("W");
        public static readonly Unit Ramp = new("W/s");
        public static readonly Unit Percent = new("%");
        public static readonly Unit EnergyUnit = new("Wh");

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
            "Wh" => Energy(v),
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
