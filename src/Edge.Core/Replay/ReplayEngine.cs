using Edge.Core.Battery;
using Edge.Core.Control;
using Edge.Core.Metrics;

namespace Edge.Core.Replay;

/// <summary>
/// One controller over a load series held in memory, keeping every period's values — for tests and short studies.
/// The replay command streams through <see cref="ReplaySession"/> instead, which this wraps.
/// </summary>
public static class ReplayEngine
{
    /// <summary>Runs <paramref name="controller"/> over <paramref name="loadW"/> (one value per period).</summary>
    /// <param name="loadW">Load per period, W.</param>
    /// <param name="periodS">Control period, s.</param>
    /// <param name="controller">The controller (fresh: it keeps state).</param>
    /// <param name="battery">Battery model parameters.</param>
    /// <param name="metrics">Parameters the metrics are judged against (its period must be <paramref name="periodS"/>).</param>
    public static ReplayRun Run(double[] loadW, double periodS, IGridController controller, BatteryModelOptions battery, MetricsOptions metrics)
    {
        ArgumentNullException.ThrowIfNull(loadW);
        ArgumentNullException.ThrowIfNull(metrics);
        if (Math.Abs(metrics.PeriodS - periodS) > 1e-12)
        {
            throw new ArgumentException("The metrics' period must be the replay period.", nameof(metrics));
        }

        int n = loadW.Length;
        var session = new ReplaySession([controller], battery, metrics, n);
        var grid = new double[n];
        var target = new double[n];
        var batteryW = new double[n];
        var soc = new double[n];
        var saturated = new bool[n];
        for (int k = 0; k < n; k++)
        {
            session.Step(loadW[k]);
            ReplayState s = session.States[0];
            grid[k] = s.GridW;
            target[k] = s.GridTargetW;
            batteryW[k] = s.BatteryW;
            soc[k] = s.SocPct;
            saturated[k] = s.Saturated;
        }

        return new ReplayRun(controller.Name, grid, target, batteryW, soc, saturated, session.Results()[0]);
    }
}
