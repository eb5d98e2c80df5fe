using Edge.Devices.Shunts;

namespace Edge.Devices.Ina228;

/// <summary>Configuration of one INA228 (85 V common mode: 48–54 V rack busbars).</summary>
public sealed class Ina228Options
{
    /// <summary>Shunt resistance, Ω.</summary>
    public double ShuntOhm { get; set; } = 0.0001;

    /// <summary>Largest current to be measured, A.</summary>
    public double MaxCurrentA { get; set; } = 400;

    /// <summary>A chosen CURRENT_LSB, A/bit (NaN = max current / 2^19).</summary>
    public double CurrentLsbA { get; set; } = double.NaN;

    /// <summary>Shunt input range.</summary>
    public Ina228AdcRange AdcRange { get; set; } = Ina228AdcRange.Auto;

    /// <summary>Samples averaged per result.</summary>
    public InaAveraging Averaging { get; set; } = InaAveraging.Samples1;

    /// <summary>Bus-voltage conversion time.</summary>
    public Ina228ConversionTime BusConversionTime { get; set; } = Ina228ConversionTime.Us280;

    /// <summary>Shunt-voltage conversion time.</summary>
    public Ina228ConversionTime ShuntConversionTime { get; set; } = Ina228ConversionTime.Us280;

    /// <summary>Temperature conversion time (used only in modes that convert temperature).</summary>
    public Ina228ConversionTime TemperatureConversionTime { get; set; } = Ina228ConversionTime.Us50;

    /// <summary>Operating mode.</summary>
    public Ina228Mode Mode { get; set; } = Ina228Mode.ContinuousShuntBus;

    /// <summary>Assert ALERT on conversion ready (DIAG_ALRT CNVR, transparent) — for <see cref="ConversionReadyMode.AlertPin"/>.</summary>
    public bool AlertOnConversionReady { get; set; }
}
