using Edge.Devices.Shunts;

namespace Edge.Devices.Ina226;

/// <summary>Configuration of one INA226 (36 V common mode: 12 V rails and bench rigs).</summary>
public sealed class Ina226Options
{
    /// <summary>Shunt resistance, Ω.</summary>
    public double ShuntOhm { get; set; } = 0.002;

    /// <summary>Largest current to be measured, A (sets Current_LSB = max / 2^15 unless <see cref="CurrentLsbA"/> is given).</summary>
    public double MaxCurrentA { get; set; } = 10;

    /// <summary>A chosen Current_LSB, A/bit (NaN = derive from <see cref="MaxCurrentA"/>). Datasheets often round it up.</summary>
    public double CurrentLsbA { get; set; } = double.NaN;

    /// <summary>Samples averaged per result.</summary>
    public InaAveraging Averaging { get; set; } = InaAveraging.Samples1;

    /// <summary>Bus-voltage conversion time.</summary>
    public Ina226ConversionTime BusConversionTime { get; set; } = Ina226ConversionTime.Us332;

    /// <summary>Shunt-voltage conversion time.</summary>
    public Ina226ConversionTime ShuntConversionTime { get; set; } = Ina226ConversionTime.Us332;

    /// <summary>Operating mode.</summary>
    public Ina226Mode Mode { get; set; } = Ina226Mode.ShuntAndBusContinuous;

    /// <summary>Assert ALERT on conversion ready (Mask/Enable CNVR) — for <see cref="ConversionReadyMode.AlertPin"/>.</summary>
    public bool AlertOnConversionReady { get; set; }
}
