namespace Edge.Runtime.Cycle;

/// <summary>
/// Load that the point of connection carries but the rack sensors do not measure — flexible loads on feeders of their
/// own, as their agents report it. <see cref="ControlCycle"/> adds <see cref="UnmeteredDeltaW"/> to the controller's
/// load every period, so the controller smooths what such a load does to the grid. It is the load's change since it
/// became known, not its level: the grid already carried it before, so its appearing (or its agent falling silent)
/// must not look like a step to the controller. Read on the loop thread: allocation-free, no lock, never throws.
/// </summary>
public interface IUnmeteredLoad
{
    /// <summary>The unmeasured load's change since it became known, W (finite; negative when it fell).</summary>
    double UnmeteredDeltaW { get; }
}
