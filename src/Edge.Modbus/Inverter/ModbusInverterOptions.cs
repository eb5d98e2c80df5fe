using Edge.Core;
using Edge.Modbus.Client;

namespace Edge.Modbus.Inverter;

/// <summary>Settings of one Modbus battery inverter driven by <see cref="ModbusInverter"/>; units in the names.</summary>
public class ModbusInverterOptions
{
    /// <summary>Stable identifier (configuration, topics, logs).</summary>
    public string Id { get; set; } = "inverter";

    /// <summary>The Modbus TCP link.</summary>
    public ModbusClientOptions Modbus { get; set; } = new();

    /// <summary>Modbus unit id of the device.</summary>
    public byte UnitId { get; set; } = 1;

    /// <summary>
    /// Revert timeout programmed into the device (704 <c>WSetRvrtTms</c>, 124 <c>InOutWRte_RvrtTms</c>), s: if Edge stops
    /// writing for this long the device returns to 0 W by itself, at its own ramp. SunSpec counts whole seconds.
    /// </summary>
    public int RevertTimeoutS { get; set; } = 2;

    /// <summary>Ramp limit programmed into the device (704 <c>WRmp</c>, 124 <c>WChaGra</c>/<c>WDisChaGra</c>), % of rated power per second.</summary>
    public double RampPctPerS { get; set; } = 100;

    /// <summary>Rated power, W; 0 = read it from the device (802 <c>WDisChaRteMax</c>/<c>WChaRteMax</c>, 124 <c>WChaMax</c>).
    /// It clamps setpoints and bounds a plausible reading; a 124 device is still commanded in % of its own <c>WChaMax</c>.</summary>
    public double RatedPowerW { get; set; }

    /// <summary>Usable capacity, Wh, for devices that do not report one (0 = use the device's 713/802 <c>WHRtg</c>).</summary>
    public double CapacityWh { get; set; }

    /// <summary>Period of state reads (measured power, SoC, state, faults), ms.</summary>
    public int PollPeriodMs { get; set; } = 100;

    /// <summary>A state older than this is reported <c>Stale</c>, ms. Also used for a battery heartbeat (802 <c>Hb</c>) that stops.</summary>
    public int StaleAfterMs { get; set; } = 3000;

    /// <summary>Consecutive link failures after which the inverter is reported <c>Offline</c>.</summary>
    public int OfflineAfterFailures { get; set; } = 3;

    /// <summary>Consecutive refused writes (exception answers) after which the inverter is reported <c>Fault</c>.</summary>
    public int FaultAfterRefusals { get; set; } = 3;

    /// <summary>Hold the single-writer lease through the controller heartbeat register (802 <c>CtrlHb</c>; see <see cref="ModbusInverter"/>).</summary>
    public bool UseLease { get; set; } = true;

    /// <summary>Period of the controller heartbeat written to 802 <c>CtrlHb</c>, ms (SunSpec: once a second).</summary>
    public int HeartbeatPeriodMs { get; set; } = 1000;

    /// <summary>
    /// Before taking the lease, <c>CtrlHb</c> must stay unchanged for this long, ms. Must exceed the heartbeat period
    /// of every controller on the site (default 2.5 × 1 s).
    /// </summary>
    public int LeaseObserveMs { get; set; } = 2500;

    /// <summary>An unchanged setpoint is rewritten (to refresh the revert timer) when the last write is this old, ms; 0 = a quarter of the revert timeout.</summary>
    public int RewriteUnchangedAfterMs { get; set; }

    /// <summary>True for devices that report and take power with the opposite sign (positive = charge).</summary>
    public bool InvertSign { get; set; }

    /// <summary>
    /// Shortest time between two writes of the reversion setpoint (704 <c>WSetRvrt</c>), ms; ≥ 1000 (many devices keep
    /// it in flash: never at the loop rate).
    /// </summary>
    public int RevertTrackPeriodMs { get; set; } = 1000;

    /// <summary>
    /// The reversion setpoint is rewritten only when the setpoint moved by more than this, W. Keep it ≤ the ramp limit ×
    /// the ramp window per inverter, so that a reversion is never a larger step than the ramp limit allows.
    /// </summary>
    public double RevertTrackDeadbandW { get; set; }

    /// <summary>Checks every option; returns the errors (empty when valid).</summary>
    public IReadOnlyList<OptionError> Validate(string section = "Inverter")
    {
        var c = new OptionChecks(section);
        if (string.IsNullOrWhiteSpace(Id))
        {
            c.Fail(nameof(Id), "\"\"", "must be a non-empty name");
        }

        foreach (OptionError e in Modbus.Validate($"{section}:{nameof(Modbus)}"))
        {
            c.Fail(e.Path[(section.Length + 1)..], e.Value, e.Allowed);
        }

        c.Range(nameof(UnitId), UnitId, 0, 247, "");
        c.Range(nameof(RevertTimeoutS), RevertTimeoutS, 1, 3600, "s");
        c.Above(nameof(RampPctPerS), RampPctPerS, 0, 65_535, "%/s");
        c.Range(nameof(RatedPowerW), RatedPowerW, 0, 3e9, "W");
        c.Range(nameof(CapacityWh), CapacityWh, 0, 3e9, "Wh");
        c.Range(nameof(PollPeriodMs), PollPeriodMs, 1, 60_000, "ms");
        c.Range(nameof(StaleAfterMs), StaleAfterMs, PollPeriodMs, 600_000, "ms");
        c.Range(nameof(OfflineAfterFailures), OfflineAfterFailures, 1, 1000, "");
        c.Range(nameof(FaultAfterRefusals), FaultAfterRefusals, 1, 1000, "");
        c.Range(nameof(HeartbeatPeriodMs), HeartbeatPeriodMs, 10, 60_000, "ms");
        c.Range(nameof(LeaseObserveMs), LeaseObserveMs, HeartbeatPeriodMs * 1.5, 600_000, "ms (at least 1.5 heartbeat periods)");
        c.Range(nameof(RevertTrackPeriodMs), RevertTrackPeriodMs, 1000, 3_600_000, "ms (at least 1 s: flash wear)");
        c.Range(nameof(RevertTrackDeadbandW), RevertTrackDeadbandW, 0, 3e9, "W");
        c.Range(nameof(RewriteUnchangedAfterMs), RewriteUnchangedAfterMs, 0, RevertTimeoutS * 1000.0 / 2, "ms (at most half the revert timeout)");
        return c.Errors;
    }

    /// <summary>Returns a deep copy (of the same runtime type).</summary>
    public ModbusInverterOptions Clone()
    {
        var copy = (ModbusInverterOptions)MemberwiseClone();
        copy.Modbus = Modbus.Clone();
        return copy;
    }
}

/// <summary>Settings of a SunSpec battery inverter (<see cref="SunSpecInverter"/>): the common Modbus inverter settings.</summary>
public sealed class SunSpecInverterOptions : ModbusInverterOptions
{
}
