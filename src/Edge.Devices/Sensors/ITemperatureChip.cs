namespace Edge.Devices.Sensors;

/// <summary>
/// What <see cref="TemperatureSensor"/> needs from a temperature chip's driver (e.g. <see cref="Bindings.Lm75Thermometer"/>
/// over Iot.Device.Bindings' Lm75). Called from the bus's sampler thread only; a driver that throws (a dotnet/iot binding on a
/// NACK) catches inside and reports false.
/// </summary>
public interface ITemperatureChip
{
    /// <summary>Chip name, e.g. "LM75".</summary>
    string Model { get; }

    /// <summary>Why the last <see cref="Initialize"/> or read failed, in words (null when it succeeded).</summary>
    string? LastError { get; }

    /// <summary>Sets the chip up; false when it did not answer (see <see cref="LastError"/>). May allocate (not per sample).</summary>
    bool Initialize();

    /// <summary>Reads the temperature, °C. False on a bus error.</summary>
    bool TryReadCelsius(out double temperatureC);
}
