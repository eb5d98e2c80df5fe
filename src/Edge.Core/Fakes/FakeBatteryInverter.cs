using Edge.Core.Devices;

namespace Edge.Core.Fakes;

/// <summary>
/// Test dummy for <see cref="IBatteryInverter"/>: records the last setpoint and, if <see cref="FollowSetpoint"/>,
/// reports it back as measured power on the next read (an ideal inverter). Tests can set any state.
/// </summary>
public sealed class FakeBatteryInverter(string id, double capacityWh = 1000, double maxPowerW = 10_000) : IBatteryInverter
{
    /// <inheritdoc />
    public string Id { get; } = id;

    /// <summary>The state returned by <see cref="TryReadState"/> (tests may overwrite it).</summary>
    public InverterState State { get; set; } = new(0, 0, 50, maxPowerW, maxPowerW, capacityWh, 0, InverterHealth.Ok);

    /// <summary>When true, the last setpoint becomes the measured power.</summary>
    public bool FollowSetpoint { get; set; } = true;

    /// <summary>The last setpoint posted, W.</summary>
    public double LastSetpointW { get; private set; }

    /// <summary>Loop time of the last post, ns.</summary>
    public long LastPostNs { get; private set; }

    /// <summary>Number of setpoints posted.</summary>
    public long PostCount { get; private set; }

    /// <inheritdoc />
    public bool TryReadState(out InverterState state)
    {
        state = FollowSetpoint ? State with { MeasuredPowerW = LastSetpointW, LastSetpointW = LastSetpointW } : State;
        return State.Health != InverterHealth.Missing;
    }

    /// <inheritdoc />
    public void PostSetpoint(double setpointW, long nowNs)
    {
        LastSetpointW = setpointW;
        LastPostNs = nowNs;
        PostCount++;
    }
}
