using Edge.Core.Devices;
using Edge.Runtime.Timing;
using Edge.Simulation.Profiles;
using Edge.Core.Timing;

namespace Edge.Bench;

/// <summary>
/// A rack sensor read synchronously in the sample phase (like an INA228 register read): its share of the load
/// profile at the loop clock's current time, time-stamped at the read. Loop thread only; allocation-free.
/// </summary>
internal sealed class ProfilePowerSensor(string id, ILoadProfile profile, double share, IMonotonicClock clock, long epochNs) : IPowerSensor
{
    private const double BusVoltageV = 800;
    private uint _sequence;

    public string Id => id;

    public bool TryRead(out PowerReading reading)
    {
        long nowNs = clock.NowNs;
        double powerW = profile.PowerAt((nowNs - epochNs) * 1e-9) * share;
        reading = new PowerReading(nowNs, powerW, BusVoltageV, powerW / BusVoltageV, ++_sequence, SensorHealth.Ok);
        return true;
    }
}
