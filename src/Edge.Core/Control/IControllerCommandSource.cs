namespace Edge.Core.Control;

/// <summary>
/// Capability: commands waiting to be applied to the controller (operator commands from MQTT, the daemon's own
/// requests such as "standby" on shutdown). The loop calls <see cref="ApplyPending"/> between cycles, on its own
/// thread, so the controller never sees a change in the middle of a period. Allocation-free and non-blocking.
/// </summary>
public interface IControllerCommandSource
{
    /// <summary>Applies every pending command to <paramref name="controller"/>; returns how many were handled.</summary>
    int ApplyPending(SmoothingController controller);
}
