using Edge.Core.Baselines;

namespace Edge.Core.Control;

/// <summary>Creates controllers by their command-line names (docs/DESIGN.md §6).</summary>
public static class Controllers
{
    /// <summary>Every controller name, the smoothing controller first.</summary>
    public static IReadOnlyList<string> Names { get; } = ["smoothing", "none", "moving-average", "low-pass", "peak-shave"];

    /// <summary>
    /// Creates the named controller. <paramref name="peakLoadW"/> is needed by <c>peak-shave</c> only.
    /// Throws <see cref="ArgumentException"/> for an unknown name (the message lists the known ones).
    /// </summary>
    public static IGridController Create(string name, ControllerOptions options, double peakLoadW) => name switch
    {
        "smoothing" => new SmoothingController(options),
        "none" => new NoBatteryController(options),
        "moving-average" => new MovingAverageController(options),
        "low-pass" => new LowPassController(options),
        "peak-shave" => new PeakShaveController(options, peakLoadW),
        _ => throw new ArgumentException($"Unknown controller '{name}'. Known: {string.Join(", ", Names)}, all.", nameof(name)),
    };
}
