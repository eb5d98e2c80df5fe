using Iot.Device.Ads1115;

namespace Edge.Devices.Bindings;

/// <summary>
/// One ADS1115 input carrying a Hall or current-transformer power transducer's output, and the transducer's transfer
/// function: <c>powerW = GainWPerV × volts + OffsetW</c>. Volts outside [<see cref="MinVolts"/>, <see cref="MaxVolts"/>]
/// (an open or shorted wire, a transducer without supply) or a saturated ADC are a sensor fault, not a power.
/// </summary>
public sealed class Ads1115ChannelOptions
{
    /// <summary>The input (single-ended AINx or a differential pair).</summary>
    public InputMultiplexer Input { get; set; } = InputMultiplexer.AIN0;

    /// <summary>Full-scale range of the PGA.</summary>
    public MeasuringRange Range { get; set; } = MeasuringRange.FS4096;

    /// <summary>Conversion rate (continuous mode).</summary>
    public DataRate DataRate { get; set; } = DataRate.SPS860;

    /// <summary>Transfer function slope, W per V.</summary>
    public double GainWPerV { get; set; } = 1;

    /// <summary>Transfer function offset, W (the power at 0 V).</summary>
    public double OffsetW { get; set; }

    /// <summary>Lowest plausible transducer output, V.</summary>
    public double MinVolts { get; set; } = double.NegativeInfinity;

    /// <summary>Highest plausible transducer output, V.</summary>
    public double MaxVolts { get; set; } = double.PositiveInfinity;

    /// <summary>Full scale of <paramref name="range"/>, V (the ADC reads ±this over ±32768).</summary>
    public static double FullScaleVolts(MeasuringRange range) => range switch
    {
        MeasuringRange.FS6144 => 6.144,
        MeasuringRange.FS4096 => 4.096,
        MeasuringRange.FS2048 => 2.048,
        MeasuringRange.FS1024 => 1.024,
        MeasuringRange.FS0512 => 0.512,
        MeasuringRange.FS0256 => 0.256,
        _ => throw new ArgumentOutOfRangeException(nameof(range), range, "not an ADS1115 range"),
    };

    /// <summary>Conversions per second of <paramref name="rate"/>.</summary>
    public static int SamplesPerSecond(DataRate rate) => rate switch
    {
        DataRate.SPS008 => 8,
        DataRate.SPS016 => 16,
        DataRate.SPS032 => 32,
        DataRate.SPS064 => 64,
        DataRate.SPS128 => 128,
        DataRate.SPS250 => 250,
        DataRate.SPS475 => 475,
        DataRate.SPS860 => 860,
        _ => throw new ArgumentOutOfRangeException(nameof(rate), rate, "not an ADS1115 data rate"),
    };
}
