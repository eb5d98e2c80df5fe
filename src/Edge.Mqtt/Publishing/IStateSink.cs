using Edge.Core.Devices;

namespace Edge.Mqtt.Publishing;

/// <summary>Something else that wants each decimated state window (e.g. the Sparkplug B node). Called on the publisher thread; must not block.</summary>
public interface IStateSink
{
    /// <summary>A state window just closed.</summary>
    void OnState(StateWindow window, long unixMs);

    /// <summary>
    /// A detail snapshot was just taken (every 1/DetailRateHz of loop time, in the order of the
    /// <see cref="IRackDetailSource"/>'s ids): per-sensor and per-inverter readings and health. The snapshot is reused
    /// after the call returns.
    /// </summary>
    void OnDetail(RackSnapshot snapshot, long nowNs, long unixMs)
    {
    }
}
