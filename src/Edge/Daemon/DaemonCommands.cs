using Edge.Core.Control;

namespace Edge.Daemon;

/// <summary>
/// The commands the control loop applies between cycles: the daemon's own (standby on shutdown) first, then the
/// operators' (from MQTT), then the site limit in force and the lever coordinator (every period). Both reach the controller only on the loop thread, so a mode change never lands in the
/// middle of a period.
/// </summary>
internal sealed class DaemonCommands(IControllerCommandSource? operators, SiteLimitExecutor? siteLimits = null, AgentLevers? levers = null) : IControllerCommandSource
{
    private volatile bool _standbyRequested;
    private volatile bool _standbyApplied;
    private double _standbyFromW = double.NaN;

    /// <summary>True once the loop has switched the controller to standby (or fault, which also ramps out).</summary>
    public bool StandbyApplied => _standbyApplied;

    /// <summary>
    /// The battery setpoint the ramp-out started from (the controller's, in the period standby was applied; NaN before):
    /// what the stop's estimate is made from. The pump's last record can lag the loop, and a training load's edge can
    /// move the setpoint by kilowatts within the period the request waits for.
    /// </summary>
    public double StandbyFromW => Volatile.Read(ref _standbyFromW);

    /// <summary>Asks the loop to ramp the battery out (any thread).</summary>
    public void RequestStandby() => _standbyRequested = true;

    /// <inheritdoc />
    public int ApplyPending(SmoothingController controller)
    {
        int n = 0;
        if (_standbyRequested && !_standbyApplied)
        {
            // In fault the battery is already ramping out; otherwise standby does it within the ramp limits.
            if (controller.Mode == ControlMode.Fault || controller.TrySetMode(ControlMode.Standby) is null)
            {
                Volatile.Write(ref _standbyFromW, controller.LastSetpointW);
                _standbyApplied = true;
            }

            n++;
        }

        // Once shutting down, operators can no longer move the controller out of standby (nor a site limit move its cap).
        if (_standbyApplied)
        {
            return n;
        }

        n += operators?.ApplyPending(controller) ?? 0;
        siteLimits?.Step(controller);
        levers?.Step(controller);
        return n;
    }
}
