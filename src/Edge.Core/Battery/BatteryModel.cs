namespace Edge.Core.Battery;

/// <summary>
/// A battery behind an inverter, as replay and the simulated inverter see it. Per step of dt seconds:
/// <list type="number">
/// <item>the setpoint enters a delay line and the value posted <c>LatencyMs</c> ago comes out (pure latency);</item>
/// <item>the power stage follows it as a first-order lag with <c>TimeConstantMs</c> (exact discretisation), and no
/// faster than the device's own <c>RampWPerS</c>;</item>
/// <item>power is clipped to the charge/discharge limits, then to the energy in the cells: an empty battery cannot
/// discharge, a full one cannot charge (the last step is shortened exactly to reach 0 % or 100 %);</item>
/// <item>SoC integrates cell energy: discharge draws P·dt/η_discharge, charge stores |P|·dt·η_charge.</item>
/// </list>
/// Sign convention (docs/DESIGN.md §1): power &gt; 0 = discharging. Deterministic and allocation-free after construction.
/// Timing: the power returned by <see cref="Step"/> is the power over the interval that starts when the setpoint
/// is posted; with zero latency and time constant it equals the setpoint (within limits).
/// </summary>
public sealed class BatteryModel
{
    private readonly BatteryModelOptions _options;
    private readonly double _energyJ;
    private readonly long _latencyNs;
    private readonly long[] _delayTimesNs;
    private readonly double[] _delayValuesW;
    private int _delayHead;
    private int _delayCount;
    private long _nowNs;
    private double _delayedW;
    private double _cellEnergyJ;

    /// <summary>
    /// Creates the model. <paramref name="shortestStepS"/> sizes the delay line (latency / shortest step entries);
    /// steps shorter than that still work, with the oldest pending setpoints dropped first.
    /// </summary>
    public BatteryModel(BatteryModelOptions options, double shortestStepS = 0.001)
    {
        IReadOnlyList<OptionError> errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(Environment.NewLine, errors), nameof(options));
        }

        _options = options.Clone();
        _energyJ = options.EnergyWh * 3600.0;
        _cellEnergyJ = _energyJ * options.InitialSocPct / 100.0;
        _latencyNs = (long)Math.Round(options.LatencyMs * 1e6);
        int capacity = 2 + (int)Math.Ceiling(options.LatencyMs * 1e-3 / Math.Max(shortestStepS, 1e-6));
        _delayTimesNs = new long[capacity];
        _delayValuesW = new double[capacity];
    }

    /// <summary>The options in force (a private copy).</summary>
    public BatteryModelOptions Options => _options;

    /// <summary>AC power over the last step, W (positive = discharging).</summary>
    public double PowerW { get; private set; }

    /// <summary>State of charge, %.</summary>
    public double SocPct => 100.0 * _cellEnergyJ / _energyJ;

    /// <summary>Energy in the cells, Wh.</summary>
    public double StoredWh => _cellEnergyJ / 3600.0;

    /// <summary>Charge power the battery would accept now, W (0 when full).</summary>
    public double AllowedChargeW => _cellEnergyJ >= _energyJ ? 0 : _options.MaxChargeW;

    /// <summary>Discharge power the battery could deliver now, W (0 when empty).</summary>
    public double AllowedDischargeW => _cellEnergyJ <= 0 ? 0 : _options.MaxDischargeW;

    /// <summary>True when the last step was clipped by a power or energy limit.</summary>
    public bool Clipped { get; private set; }

    /// <summary>Model time, ns since construction.</summary>
    public long NowNs => _nowNs;

    /// <summary>Forces the power stage to a value (e.g. to start from a measured power). Does not touch SoC.</summary>
    public void SetPower(double powerW)
    {
        PowerW = powerW;
        _delayedW = powerW;
        _delayCount = 0;
    }

    /// <summary>Sets the state of charge, % (clamped to [0, 100]).</summary>
    public void SetSoc(double socPct) => _cellEnergyJ = _energyJ * Math.Clamp(socPct, 0, 100) / 100.0;

    /// <summary>Posts <paramref name="setpointW"/> now and advances the model by <paramref name="dtS"/> seconds.</summary>
    /// <returns>The AC power over the step, W.</returns>
    public double Step(double setpointW, double dtS)
    {
        if (!(dtS > 0))
        {
            return PowerW;
        }

        if (!double.IsFinite(setpointW))
        {
            setpointW = 0;
        }

        double targetW = Delay(setpointW);
        _nowNs += (long)Math.Round(dtS * 1e9);

        double powerW = PowerW;
        double tauS = _options.TimeConstantMs * 1e-3;
        powerW = tauS > 0 ? powerW + -double.ExpM1(-dtS / tauS) * (targetW - powerW) : targetW;
        double maxStepW = _options.RampWPerS * dtS;
        powerW = Math.Clamp(powerW, PowerW - maxStepW, PowerW + maxStepW);

        bool clipped = false;
        if (powerW > _options.MaxDischargeW)
        {
            powerW = _options.MaxDischargeW;
            clipped = true;
        }
        else if (powerW < -_options.MaxChargeW)
        {
            powerW = -_options.MaxChargeW;
            clipped = true;
        }

        if (powerW > 0)
        {
            double drawJ = powerW * dtS / _options.DischargeEfficiency;
            if (drawJ > _cellEnergyJ)
            {
                powerW = _cellEnergyJ * _options.DischargeEfficiency / dtS;
                drawJ = _cellEnergyJ;
                clipped = true;
            }

            _cellEnergyJ -= drawJ;
        }
        else if (powerW < 0)
        {
            double storeJ = -powerW * dtS * _options.ChargeEfficiency;
            double roomJ = _energyJ - _cellEnergyJ;
            if (storeJ > roomJ)
            {
                powerW = -roomJ / (dtS * _options.ChargeEfficiency);
                storeJ = roomJ;
                clipped = true;
            }

            _cellEnergyJ += storeJ;
        }

        _cellEnergyJ = Math.Clamp(_cellEnergyJ, 0, _energyJ);
        Clipped = clipped;
        PowerW = powerW;
        return powerW;
    }

    private double Delay(double setpointW)
    {
        if (_latencyNs <= 0)
        {
            return setpointW;
        }

        // Enqueue (time posted, value); when full, the oldest pending value is dropped.
        int tail = (_delayHead + _delayCount) % _delayTimesNs.Length;
        if (_delayCount == _delayTimesNs.Length)
        {
            _delayHead = (_delayHead + 1) % _delayTimesNs.Length;
            _delayCount--;
        }

        _delayTimesNs[tail] = _nowNs;
        _delayValuesW[tail] = setpointW;
        _delayCount++;

        // Release every value posted at least the latency ago; the newest of them is in force.
        while (_delayCount > 0 && _delayTimesNs[_delayHead] + _latencyNs <= _nowNs)
        {
            _delayedW = _delayValuesW[_delayHead];
            _delayHead = (_delayHead + 1) % _delayTimesNs.Length;
            _delayCount--;
        }

        return _delayedW;
    }
}
