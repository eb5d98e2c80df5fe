using Edge.Devices.I2c;
using Edge.Devices.Shunts;
using Iot.Device.Ads1115;

namespace Edge.Devices.Bindings;

/// <summary>
/// A rack power channel read through Iot.Device.Bindings' <see cref="Ads1115"/> binding: one ADS1115 input, in continuous
/// mode, carrying a Hall/CT power transducer's output voltage, turned into watts by the channel's transfer function
/// (<see cref="Ads1115ChannelOptions"/>). It is an <see cref="IShuntMonitor"/>, so a <see cref="Sensors.ShuntPowerSensor"/>
/// samples it on its bus's sampler thread exactly like an INA chip — same health, same back-off, same publication — and
/// it joins the rack topology and the snapshot. The binding throws on a failed transfer; this class catches it on the
/// sampler thread and returns false (the back-off bounds how often that happens while a channel is dead). Per sample:
/// the binding's <see cref="Ads1115.ReadRaw()"/> (pointer write + 2-byte read), no allocation while the chip answers.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification =
    "The binding is never disposed: its Dispose disposes the I2cDevice (owned and closed by the rig) and writes to the chip.")]
public sealed class Ads1115PowerMonitor : IShuntMonitor
{
    private readonly System.Device.I2c.I2cDevice _device;
    private readonly II2cDevice? _status;
    private readonly Ads1115ChannelOptions _options;
    private readonly double _voltsPerCount;
    private Ads1115? _binding;

    /// <summary>Creates the monitor; nothing is sent until <see cref="Initialize"/>.</summary>
    public Ads1115PowerMonitor(System.Device.I2c.I2cDevice device, Ads1115ChannelOptions options)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(options);
        _device = device;
        _status = device as II2cDevice;
        _options = options;
        _voltsPerCount = Ads1115ChannelOptions.FullScaleVolts(options.Range) / 32768.0;
        ConversionPeriodNs = 1_000_000_000L / Ads1115ChannelOptions.SamplesPerSecond(options.DataRate);
    }

    /// <inheritdoc />
    public string Model => "ADS1115";

    /// <inheritdoc />
    public I2cStatus LastStatus { get; private set; } = I2cStatus.Ok;

    /// <inheritdoc />
    public string? LastError { get; private set; }

    /// <inheritdoc />
    public long ConversionPeriodNs { get; }

    /// <inheritdoc />
    public bool AlertNeedsFlagRead => false;

    /// <summary>The last raw conversion result read.</summary>
    public short LastRaw { get; private set; }

    /// <summary>The transducer's output voltage of the last read, V.</summary>
    public double LastVolts { get; private set; } = double.NaN;

    /// <summary>Creates the binding, which writes the configuration (and waits for the first conversion), then reads once.</summary>
    public InaInitResult Initialize()
    {
        try
        {
            _binding = new Ads1115(_device, _options.Input, _options.Range, _options.DataRate, DeviceMode.Continuous);
            _ = _binding.ReadRaw();
            LastStatus = I2cStatus.Ok;
            LastError = null;
            return InaInitResult.Ok;
        }
        catch (Exception e) when (e is IOException or TimeoutException or InvalidOperationException)
        {
            _binding = null;
            Fail();
            LastError = "ADS1115 did not answer: " + e.Message;
            return InaInitResult.BusError;
        }
    }

    /// <summary>Continuous mode: a result is always there (the binding reads the latest conversion).</summary>
    public bool TryReadConversionReady(out bool ready, out bool overflow)
    {
        ready = true;
        overflow = false;
        return true;
    }

    /// <summary>Reads the conversion register; <see cref="ShuntMeasurement.PowerW"/> is the transfer function's (signed).</summary>
    public bool TryReadMeasurement(ShuntReadSet set, out ShuntMeasurement measurement)
    {
        if (_binding is null)
        {
            LastStatus = I2cStatus.Closed;
            measurement = default;
            return false;
        }

        short raw;
        try
        {
            raw = _binding.ReadRaw();
        }
        catch (Exception e) when (e is IOException or TimeoutException or InvalidOperationException)
        {
            Fail();
            measurement = default;
            return false;
        }

        LastStatus = I2cStatus.Ok;
        LastRaw = raw;
        double volts = raw * _voltsPerCount;
        LastVolts = volts;
        bool saturated = raw is short.MaxValue or short.MinValue;
        bool implausible = volts < _options.MinVolts || volts > _options.MaxVolts;
        double powerW = (_options.GainWPerV * volts) + _options.OffsetW;
        measurement = new ShuntMeasurement(powerW, double.NaN, double.NaN, volts, (ushort)raw, saturated || implausible);
        return true;
    }

    private void Fail()
    {
        I2cStatus status = _status is null ? I2cStatus.Other : I2cErrors.FromErrno(_status.LastErrno);
        LastStatus = status == I2cStatus.Ok ? I2cStatus.Other : status;
    }
}
