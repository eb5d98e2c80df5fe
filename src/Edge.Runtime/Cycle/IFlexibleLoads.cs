namespace Edge.Runtime.Cycle;

/// <summary>
/// The flexible loads the controller counts on, as their agents report them. Read on the loop thread every period:
/// allocation-free, no lock, never throws.
/// </summary>
public interface IFlexibleLoads
{
    /// <summary>
    /// Load the point of connection carries but the rack sensors do not measure (flexible loads on feeders of their
    /// own): its change since it became known, W (finite; negative when it fell). <see cref="ControlCycle"/> adds it to
    /// the controller's load, so the controller smooths what such a load does to the grid. It is the change, not the
    /// level: the grid already carried the load before, so its appearing (or its agent falling silent) must not look
    /// like a step. 0 when the sensors measure the flexible loads too.
    /// </summary>
    double UnmeteredDeltaW { get; }

    /// <summary>
    /// What the counted-on flexible loads draw now, W (≥ 0): the controller's <see cref="Edge.Core.Control.TickInput.CurtailableW"/>.
    /// They curtail when the racks rise, but not at once, so the controller keeps room for a rise with them still on.
    /// </summary>
    double CurtailableW { get; }
}
