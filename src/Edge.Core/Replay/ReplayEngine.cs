using Edge.Core.Battery;
using Edge.Core.Control;
using Edge.Core.Metrics;

namespace Edge.Core.Replay;

/// <summary>
/// Runs a controller over a load series on virtual time with the battery model (docs/DESIGN.md §6, replay). Per period k:
/// the controller reads load(k), the battery's measured power and SoC; its setpoint drives the battery model from
/// the start of period k (plus the battery's own latency and lag); the grid over the period is load(k) minus the
/// battery's actual power; the battery's power and SoC are what the next period measures. Deterministic.
/// </summary>
public static class ReplayEngine
{
    /// <summary>Runs <paramref name="controller"/> over <paramref name="loadW"/> (one value per period).</summary>
    /// <param name="loadW">Load per period, W.</param>
    /// <param name="periodS">Control period, s.</param>
    /// <param name="controller">The controller (fresh: it keeps state).</param>
    /// <param name="battery">Battery model parameters.</param>
    /// <param name="metrics">Parameters the metrics are judged against.</param>
    /// <param name="progress">Receives the fraction done, now and then (may be null).</param>
    /// <param name="cancellation">Stops the run between periods.</param>
    public static ReplayRun Run(
        double[] loadW,
        double periodS,
        IGridController controller,
        BatteryModelOptions battery,
        MetricsOptions metrics,
        Action<double>? progress = null,
        CancellationToken cancellation = default)
    {
        int n = loadW.Length;
        var model = new BatteryModel(battery, periodS);
        var grid = new double[n];
        var target = new double[n];
        var batteryW = new double[n];
        var soc = new double[n];
        var saturated = new bool[n];
        long periodNs = (long)Math.Round(periodS * 1e9);
        int reportEvery = Math.Max(1, n / 200);
        var input = new TickInput();
        for (int k = 0; k < n; k++)
        {
            input.NowNs = k * periodNs;
            input.LoadW = loadW[k];
            input.BatteryMeasuredW = model.PowerW;
            input.SocPct = model.SocPct;
            input.AllowedChargeW = model.AllowedChargeW;
            input.AllowedDischargeW = model.AllowedDischargeW;
            Decision d = controller.Decide(input);
            double actualW = model.Step(d.BatterySetpointW, periodS);
            grid[k] = loadW[k] - actualW;
            target[k] = d.GridTargetW;
            batteryW[k] = actualW;
            soc[k] = model.SocPct;
            saturated[k] = d.IsSaturated || model.Clipped;
            if (k % reportEvery == 0)
            {
                cancellation.ThrowIfCancellationRequested();
                progress?.Invoke((double)k / n);
            }
        }

        progress?.Invoke(1.0);
        GridMetrics m = GridMetrics.Compute(loadW, grid, batteryW, soc, saturated, metrics);
        return new ReplayRun(controller.Name, grid, target, batteryW, soc, saturated, m);
    }
}
