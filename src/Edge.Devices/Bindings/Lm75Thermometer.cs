using Iot.Device.Lm75;

namespace Edge.Devices.Bindings;

/// <summary>
/// An LM75 (NXP LM75B and compatibles, 0x48–0x4F) read through Iot.Device.Bindings' <see cref="Lm75"/> binding on any
/// dotnet/iot <see cref="System.Device.I2c.I2cDevice"/> — Edge's <c>/dev/i2c-N</c> device or the simulated bus. The
/// binding throws on a failed transfer (<see cref="IOException"/>); this class catches it on the sampler thread and
/// reports false, so the sensor's health and back-off see a bus error (the exception's cost is bounded by the back-off).
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification =
    "The binding is never disposed: its Dispose disposes the I2cDevice (owned and closed by the rig) and writes to the chip.")]
public sealed class Lm75Thermometer : Sensors.ITemperatureChip
{
    private readonly System.Device.I2c.I2cDevice _device;
    private Lm75? _binding;

    /// <summary>Creates the driver; nothing is sent until <see cref="Initialize"/>.</summary>
    public Lm75Thermometer(System.Device.I2c.I2cDevice device)
    {
        ArgumentNullException.ThrowIfNull(device);
        _device = device;
    }

    /// <inheritdoc />
    public string Model => "LM75";

    /// <inheritdoc />
    public string? LastError { get; private set; }

    /// <inheritdoc />
    public bool Initialize()
    {
        try
        {
            // The binding's constructor clears the shutdown bit (a read-modify-write of the configuration register).
            _binding = new Lm75(_device);
            LastError = null;
            return true;
        }
        catch (Exception e) when (e is IOException or TimeoutException or InvalidOperationException)
        {
            _binding = null;
            LastError = "LM75 did not answer: " + e.Message;
            return false;
        }
    }

    /// <inheritdoc />
    public bool TryReadCelsius(out double temperatureC)
    {
        if (_binding is null)
        {
            temperatureC = double.NaN;
            return false;
        }

        try
        {
            temperatureC = _binding.Temperature.DegreesCelsius;
            return true;
        }
        catch (Exception e) when (e is IOException or TimeoutException or InvalidOperationException)
        {
            temperatureC = double.NaN;
            LastError = e.Message;
            return false;
        }
    }
}
