using Edge.Core.Battery;

namespace Edge.Simulation.Inverter;

/// <summary>
/// The physics and control behaviour of a battery PCS, independent of any protocol, stepped explicitly
/// (<see cref="Step"/>) so that tests and the in-process rig run it on virtual time.
/// <list type="bullet">
/// <item>Control: an active-power setpoint with an enable; a programmable ramp limit on <em>increases</em> of the
/// reference's magnitude (% of rated power per second; SunSpec 704 <c>WRmp</c> — decreases towards 0 W are not
/// ramped); a reversion timer restarted by every control write — when it expires the setpoint and enable revert to
/// their reversion values (704 <c>WSetRvrt</c>/<c>WSetEnaRvrt</c>; a disabled setpoint means 0 W). A reversion to a
/// lower power is therefore a step (only the power stage's lag smooths it); a reversion that holds the last setpoint
/// (<c>WSetRvrt</c> tracking it) is no step at all.</item>
/// <item>Power stage: <see cref="BatteryModel"/> (latency, first-order lag, power and energy limits, SoC with
/// efficiency).</item>
/// <item>Faults (<see cref="PcsFaults"/>): a trip steps the output to 0 W at once (a protection trip is a step)
/// and latches until <see cref="ResetAlarms"/>; freeze holds the output.</item>
/// </list>
/// Sign convention: power &gt; 0 = discharging (SunSpec 704 uses the same). Not thread-safe: the owner serialises calls.
/// </summary>
public sealed class SimulatedPcs
{
    private readonly SimulatedPcsOptions _options;
    private readonly BatteryModel _battery;
    private double _referenceW;
    private double _revertRemainingS;

    /// <summary>Creates the PCS at rest (0 W, setpoint disabled) with the given options.</summary>
    public SimulatedPcs(SimulatedPcsOptions options)
    {
        IReadOnlyList<Core.OptionError> errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(Environment.NewLine, errors), nameof(options));
        }

        _options = options.Clone();
        _battery = new BatteryModel(
            new BatteryModelOptions
            {
                EnergyWh = options.EnergyWh,
                MaxChargeW = options.RatedPowerW,
                MaxDischargeW = options.RatedPowerW,
                ChargeEfficiency = options.ChargeEfficiency,
                DischargeEfficiency = options.DischargeEfficiency,
                TimeConstantMs = options.TimeConstantMs,
                LatencyMs = options.LatencyMs,
                InitialSocPct = options.InitialSocPct,
            },
            shortestStepS: 0.0005);
        RampPctPerS = options.DefaultRampPctPerS;
    }

    /// <summary>The options in force (a private copy).</summary>
    public SimulatedPcsOptions Options => _options;

    /// <summary>Rated power, W.</summary>
    public double RatedPowerW => _options.RatedPowerW;

    /// <summary>True when the active-power setpoint function is enabled (WSetEna).</summary>
    public bool SetpointEnabled { get; private set; }

    /// <summary>Commanded active power, W (positive = discharge).</summary>
    public double SetpointW { get; private set; }

    /// <summary>Setpoint taken when the reversion timer expires, W.</summary>
    public double RevertSetpointW { get; private set; }

    /// <summary>Enable taken when the reversion timer expires.</summary>
    public bool RevertEnabled { get; private set; } = true;

    /// <summary>Reversion time, s (0 = reversion disabled).</summary>
    public double RevertTimeS { get; private set; }

    /// <summary>Seconds left before reversion (0 when not armed).</summary>
    public double RevertRemainingS => _revertRemainingS;

    /// <summary>Number of times the reversion timer fired.</summary>
    public int RevertCount { get; private set; }

    /// <summary>Programmed ramp limit of the reference, % of rated power per second (WRmp).</summary>
    public double RampPctPerS { get; private set; }

    /// <summary>The ramped reference fed to the power stage, W.</summary>
    public double ReferenceW => _referenceW;

    /// <summary>AC power over the last step, W (positive = discharging).</summary>
    public double PowerW => _battery.PowerW;

    /// <summary>State of charge, %.</summary>
    public double SocPct => _battery.SocPct;

    /// <summary>Energy in the cells, Wh.</summary>
    public double StoredWh => _battery.StoredWh;

    /// <summary>AC energy delivered (discharge), Wh.</summary>
    public double EnergyOutWh { get; private set; }

    /// <summary>AC energy absorbed (charge), Wh.</summary>
    public double EnergyInWh { get; private set; }

    /// <summary>Charge power accepted now, W.</summary>
    public double AllowedChargeW => Tripped ? 0 : _battery.AllowedChargeW;

    /// <summary>Discharge power available now, W.</summary>
    public double AllowedDischargeW => Tripped ? 0 : _battery.AllowedDischargeW;

    /// <summary>True while a trip is latched.</summary>
    public bool Tripped { get; private set; }

    /// <summary>Active faults.</summary>
    public PcsFaults Faults { get; private set; }

    /// <summary>Simulated time, s.</summary>
    public double TimeS { get; private set; }

    /// <summary>Number of accepted control writes.</summary>
    public long ControlWrites { get; private set; }

    /// <summary>Sets or clears faults. Setting <see cref="PcsFaults.Trip"/> latches a trip.</summary>
    public void SetFaults(PcsFaults faults)
    {
        Faults = faults;
        if ((faults & PcsFaults.Trip) != 0 && !Tripped)
        {
            Tripped = true;
            _referenceW = 0;
            _battery.SetPower(0);
        }
    }

    /// <summary>Clears a latched trip (802 AlmRst) once the trip fault itself is gone.</summary>
    public void ResetAlarms()
    {
        if ((Faults & PcsFaults.Trip) == 0)
        {
            Tripped = false;
        }
    }

    /// <summary>A control write (WSetEna / WSet): sets the setpoint and enable and restarts the reversion timer.</summary>
    public void WriteSetpoint(bool enabled, double setpointW)
    {
        if (Tripped || (Faults & PcsFaults.Freeze) != 0)
        {
            return;
        }

        SetpointEnabled = enabled;
        SetpointW = Math.Clamp(double.IsFinite(setpointW) ? setpointW : 0, -RatedPowerW, RatedPowerW);
        ControlWrites++;
        RestartRevertTimer();
    }

    /// <summary>
    /// Programs reversion: value, enable and time (s; 0 disables). Only a change of the time restarts the timer: the
    /// timer runs from the last control write, so a controller that keeps <c>WSetRvrt</c> tracking its setpoint does
    /// not keep a device that no longer gets setpoints from reverting.
    /// </summary>
    public void WriteReversion(double revertSetpointW, bool revertEnabled, double revertTimeS)
    {
        RevertSetpointW = Math.Clamp(double.IsFinite(revertSetpointW) ? revertSetpointW : 0, -RatedPowerW, RatedPowerW);
        RevertEnabled = revertEnabled;
        double timeS = Math.Max(0, revertTimeS);
        if (timeS != RevertTimeS)
        {
            RevertTimeS = timeS;
            RestartRevertTimer();
        }
    }

    /// <summary>Programs the reference ramp limit, % of rated power per second (0 = the factory default).</summary>
    public void WriteRamp(double rampPctPerS) => RampPctPerS = rampPctPerS > 0 ? rampPctPerS : _options.DefaultRampPctPerS;

    /// <summary>Sets the SoC (test setup), %.</summary>
    public void SetSoc(double socPct) => _battery.SetSoc(socPct);

    /// <summary>Advances the PCS by <paramref name="dtS"/> seconds.</summary>
    public void Step(double dtS)
    {
        if (!(dtS > 0))
        {
            return;
        }

        TimeS += dtS;
        if (_revertRemainingS > 0)
        {
            _revertRemainingS -= dtS;
            if (_revertRemainingS <= 0)
            {
                _revertRemainingS = 0;
                SetpointW = RevertSetpointW;
                SetpointEnabled = RevertEnabled;
                RevertCount++;
            }
        }

        if ((Faults & PcsFaults.Freeze) != 0)
        {
            return; // A frozen controller holds its output.
        }

        double targetW = Tripped || !SetpointEnabled ? 0 : SetpointW;
        _referenceW = Tripped ? 0 : RampReference(_referenceW, targetW, RampPctPerS * 0.01 * RatedPowerW * dtS);
        double powerW = _battery.Step(_referenceW, dtS);
        if (Tripped)
        {
            _battery.SetPower(0);
            powerW = 0;
        }

        if (powerW > 0)
        {
            EnergyOutWh += powerW * dtS / 3600.0;
        }
        else
        {
            EnergyInWh -= powerW * dtS / 3600.0;
        }
    }

    private void RestartRevertTimer() => _revertRemainingS = RevertTimeS;

    /// <summary>
    /// SunSpec 704 <c>WRmp</c> is "the ramp rate for increases in active power": only a move of the reference away from
    /// 0 W (a larger discharge or a larger charge) is limited to <paramref name="maxRiseW"/> per step; a move towards
    /// 0 W — including the reversion to 0 W when the revert timer expires — is taken at once, as real devices do.
    /// A reversal of sign falls to 0 W at once, then rises at the ramp.
    /// </summary>
    internal static double RampReference(double referenceW, double targetW, double maxRiseW)
    {
        if (referenceW >= 0 && targetW >= 0)
        {
            return targetW <= referenceW ? targetW : Math.Min(targetW, referenceW + maxRiseW);
        }

        if (referenceW <= 0 && targetW <= 0)
        {
            return targetW >= referenceW ? targetW : Math.Max(targetW, referenceW - maxRiseW);
        }

        return Math.Clamp(targetW, -maxRiseW, maxRiseW); // sign reversal: through 0 W at once, then the ramp
    }
}
