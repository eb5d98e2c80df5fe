using Edge.Modbus.SunSpec;

namespace Edge.Modbus.Inverter;

/// <summary>
/// A SunSpec battery inverter: <see cref="ModbusInverter"/> with a <see cref="SunSpecProfile"/> (discovery, 704 or
/// legacy 124 control, 701/713/802 state, 802 <c>CtrlHb</c> lease).
/// </summary>
public sealed class SunSpecInverter : ModbusInverter
{
    private readonly SunSpecProfile _sunSpec;

    /// <summary>Creates the driver and starts its I/O worker.</summary>
    /// <param name="options">Settings (validated; throws <see cref="ArgumentException"/> listing every error).</param>
    /// <param name="clockNs">The loop clock in ns (monotonic); default: Stopwatch.</param>
    /// <param name="lease">Who may write (daemon or guard; docs/guard.md); null = this driver is the only writer.</param>
    public SunSpecInverter(ModbusInverterOptions options, Func<long>? clockNs = null, IActuationLease? lease = null)
        : this(options, new SunSpecProfile(options?.RatedPowerW ?? 0), clockNs, lease)
    {
    }

    private SunSpecInverter(ModbusInverterOptions options, SunSpecProfile profile, Func<long>? clockNs, IActuationLease? lease)
        : base(options, profile, clockNs, lease) => _sunSpec = profile;

    /// <summary>The discovered model chain, or null before discovery.</summary>
    public SunSpecMap? Map => _sunSpec.Map;

    /// <summary>The control model in use: 704 or 124 (0 before discovery).</summary>
    public int ControlModel => _sunSpec.ControlModel;
}
