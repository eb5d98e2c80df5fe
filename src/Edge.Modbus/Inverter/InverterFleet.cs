using Edge.Core.Control;
using Edge.Core.Devices;

namespace Edge.Modbus.Inverter;

/// <summary>
/// Several inverters seen as one battery (docs/DESIGN.md §3, sample → allocate → actuate): <see cref="Sample"/> reads every
/// inverter's state into a preallocated array and aggregates it; <see cref="Actuate"/> splits a total setpoint with
/// <see cref="BatteryAllocator"/> (by headroom, SoC-balancing) and posts each share to its inverter's mailbox.
/// Allocation-free and lock-free; call both from the control thread only.
/// </summary>
public sealed class InverterFleet
{
    private readonly IBatteryInverter[] _inverters;
    private readonly InverterState[] _states;
    private readonly double[] _setpointsW;

    /// <summary>Creates the fleet over <paramref name="inverters"/> (configuration order is kept).</summary>
    public InverterFleet(IReadOnlyList<IBatteryInverter> inverters, double socMinPct = 5, double socMaxPct = 95)
    {
        ArgumentNullException.ThrowIfNull(inverters);
        _inverters = [.. inverters];
        _states = new InverterState[_inverters.Length];
        _setpointsW = new double[_inverters.Length];
        SocMinPct = socMinPct;
        SocMaxPct = socMaxPct;
    }

    /// <summary>SoC floor used to weight discharge shares, %.</summary>
    public double SocMinPct { get; set; }

    /// <summary>SoC ceiling used to weight charge shares, %.</summary>
    public double SocMaxPct { get; set; }

    /// <summary>The inverters, in configuration order.</summary>
    public IReadOnlyList<IBatteryInverter> Inverters => _inverters;

    /// <summary>States read by the last <see cref="Sample"/>.</summary>
    public ReadOnlySpan<InverterState> States => _states;

    /// <summary>Setpoints posted by the last <see cref="Actuate"/>, W.</summary>
    public ReadOnlySpan<double> Setpoints => _setpointsW;

    /// <summary>Reads every inverter's latest state and returns the aggregate (inverters that never answered count as missing).</summary>
    public InverterAggregate Sample()
    {
        for (int i = 0; i < _inverters.Length; i++)
        {
            if (!_inverters[i].TryReadState(out _states[i]))
            {
                _states[i] = InverterState.Missing;
            }
        }

        return InverterAggregate.Of(_states);
    }

    /// <summary>Allocates <paramref name="totalW"/> over the usable inverters and posts the shares; returns the sum posted.</summary>
    public double Actuate(double totalW, long nowNs)
    {
        double allocatedW = BatteryAllocator.Allocate(totalW, _states, SocMinPct, SocMaxPct, _setpointsW);
        for (int i = 0; i < _inverters.Length; i++)
        {
            _inverters[i].PostSetpoint(_setpointsW[i], nowNs);
        }

        return allocatedW;
    }
}
