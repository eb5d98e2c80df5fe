using Edge.Devices.Gpio;
using Edge.Devices.Ina228;
using Edge.Devices.Shunts;

namespace Edge.Devices.Rig;

/// <summary>
/// A rig file (<c>hardware/rigs/*.json</c>), validated: the buses, sensors and GPIO lines of one installation, plus the
/// inverters and meters. Loaded by <see cref="RigLoader"/>; the
/// schema is documented in <c>hardware/rigs/README.md</c>.
/// </summary>
public sealed class RigDefinition
{
    /// <summary>Rig name.</summary>
    public required string Name { get; init; }

    /// <summary>Free text.</summary>
    public string Description { get; init; } = string.Empty;

    /// <summary>Where the rig came from (file path or "inline").</summary>
    public required string Source { get; init; }

    /// <summary>Sampling period the health thresholds are counted in, ms.</summary>
    public double SamplingPeriodMs { get; init; } = 1;

    /// <summary>I²C buses.</summary>
    public required IReadOnlyList<RigBus> Buses { get; init; }

    /// <summary>Rack power sensors, in the order readings appear in a <c>RackSnapshot</c>.</summary>
    public required IReadOnlyList<RigSensor> Sensors { get; init; }

    /// <summary>Rack power channels read through a binding (ADS1115), in the snapshot after <see cref="Sensors"/>.</summary>
    public IReadOnlyList<RigPowerChannel> PowerChannels { get; init; } = [];

    /// <summary>Cabinet temperature sensors read through a binding (LM75).</summary>
    public IReadOnlyList<RigTemperatureSensor> TemperatureSensors { get; init; } = [];

    /// <summary>GPIO lines.</summary>
    public required IReadOnlyList<RigGpioLine> Gpio { get; init; }

    /// <summary>Sensor health thresholds.</summary>
    public required RigHealth Health { get; init; }

    /// <summary>Load aggregation settings.</summary>
    public required RigAggregation Aggregation { get; init; }

    /// <summary>Battery inverters.</summary>
    public required IReadOnlyList<RigInverterEntry> Inverters { get; init; }

    /// <summary>Meters.</summary>
    public required IReadOnlyList<RigMeterEntry> Meters { get; init; }
}

/// <summary>Kind of I²C bus.</summary>
public enum RigBusKind : byte
{
    /// <summary>A Linux i2c-dev adapter (<c>/dev/i2c-N</c>).</summary>
    Linux,

    /// <summary>An in-process simulated bus (Edge.Simulation).</summary>
    Simulated,
}

/// <summary>One I²C bus of a rig.</summary>
/// <param name="Id">Identifier referenced by sensors.</param>
/// <param name="Kind">Linux or simulated.</param>
/// <param name="Device">Character device (Linux buses), e.g. <c>/dev/i2c-1</c>.</param>
/// <param name="SpeedHz">SCL clock, Hz (documentation and bus-time budget; the kernel's device tree sets the real one).</param>
/// <param name="Path">JSON path of the entry (for error messages).</param>
public sealed record RigBus(string Id, RigBusKind Kind, string? Device, int SpeedHz, string Path);

/// <summary>Shunt-monitor chip type.</summary>
public enum RigSensorType : byte
{
    /// <summary>TI INA226 (36 V).</summary>
    Ina226,

    /// <summary>TI INA228 (85 V).</summary>
    Ina228,
}

/// <summary>One rack power sensor.</summary>
public sealed record RigSensor
{
    /// <summary>Identifier.</summary>
    public required string Id { get; init; }

    /// <summary>Chip.</summary>
    public required RigSensorType Type { get; init; }

    /// <summary>Bus id.</summary>
    public required string Bus { get; init; }

    /// <summary>7-bit address (INA226/INA228 A0/A1 strapping: 0x40–0x4F).</summary>
    public required int Address { get; init; }

    /// <summary>Shunt resistance, Ω.</summary>
    public required double ShuntOhm { get; init; }

    /// <summary>Largest expected current, A.</summary>
    public required double MaxCurrentA { get; init; }

    /// <summary>Explicit current LSB, A/bit (NaN = derived).</summary>
    public double CurrentLsbA { get; init; } = double.NaN;

    /// <summary>Rack this sensor measures.</summary>
    public required string Rack { get; init; }

    /// <summary>Nominal share used for estimates when the sensor drops out.</summary>
    public double Weight { get; init; } = 1;

    /// <summary>Averaging.</summary>
    public InaAveraging Averaging { get; init; }

    /// <summary>Bus-voltage conversion time, µs.</summary>
    public int BusConversionUs { get; init; }

    /// <summary>Shunt-voltage conversion time, µs.</summary>
    public int ShuntConversionUs { get; init; }

    /// <summary>Temperature conversion time, µs (INA228).</summary>
    public int TemperatureConversionUs { get; init; } = 50;

    /// <summary>Shunt input range (INA228).</summary>
    public Ina228AdcRange AdcRange { get; init; }

    /// <summary>How conversions are detected.</summary>
    public ConversionReadyMode ConversionReady { get; init; }

    /// <summary>Id of the GPIO line wired to ALERT (when <see cref="ConversionReady"/> is AlertPin).</summary>
    public string? AlertGpio { get; init; }

    /// <summary>Plausible power range, W.</summary>
    public double MinPowerW { get; init; } = double.NegativeInfinity;

    /// <summary>Plausible power range, W.</summary>
    public double MaxPowerW { get; init; } = double.PositiveInfinity;

    /// <summary>Plausible bus-voltage range, V.</summary>
    public double MinBusVoltageV { get; init; } = double.NegativeInfinity;

    /// <summary>Plausible bus-voltage range, V.</summary>
    public double MaxBusVoltageV { get; init; } = double.PositiveInfinity;

    /// <summary>Read current and bus voltage every this many periods (0 = never).</summary>
    public int SlowReadEvery { get; init; } = 10;

    /// <summary>Simulation parameters (used by simulated buses).</summary>
    public RigSensorSimulation Simulation { get; init; } = new(double.NaN, double.NaN, 0, 0);

    /// <summary>JSON path of the entry.</summary>
    public required string Path { get; init; }
}

/// <summary>How a simulated sensor behaves.</summary>
/// <param name="LoadShare">Fraction of the cluster load profile flowing through this sensor (NaN = weight / total weight).</param>
/// <param name="BusVoltageV">Open-circuit bus voltage, V (NaN = 12 V for INA226, 48 V for INA228).</param>
/// <param name="SourceOhm">Source resistance: the bus voltage sags by I × R, Ω.</param>
/// <param name="NoiseLsb">RMS ADC noise, LSB (0 = ideal ADC).</param>
public sealed record RigSensorSimulation(double LoadShare, double BusVoltageV, double SourceOhm, double NoiseLsb);

/// <summary>What a GPIO line is for.</summary>
public enum RigGpioRole : byte
{
    /// <summary>E-stop sense input (the E-stop itself is hard-wired into the inverters' enable chain).</summary>
    EmergencyStop,
    /// <summary>Inverter-enable relay output.</summary>
    InverterEnable,
    /// <summary>Status LED output.</summary>
    StatusLed,
    /// <summary>An INA ALERT / conversion-ready input.</summary>
    Alert,
    /// <summary>Any other input.</summary>
    Input,
    /// <summary>Any other output.</summary>
    Output,
}

/// <summary>One GPIO line of a rig.</summary>
public sealed record RigGpioLine
{
    /// <summary>Identifier.</summary>
    public required string Id { get; init; }

    /// <summary>Purpose.</summary>
    public required RigGpioRole Role { get; init; }

    /// <summary>Chip: path, "gpiochipN", number, label (e.g. "pinctrl-rp1"), or "sim" for the simulated chip.</summary>
    public required string Chip { get; init; }

    /// <summary>Line offset.</summary>
    public required int Line { get; init; }

    /// <summary>Line settings derived from the entry.</summary>
    public required GpioLineSettings Settings { get; init; }

    /// <summary>JSON path of the entry.</summary>
    public required string Path { get; init; }
}

/// <summary>Sensor health thresholds (in sampling periods).</summary>
/// <param name="StalePeriods">No new conversion for more than this many periods → stale.</param>
/// <param name="BusErrorPeriods">Consecutive failed reads → bus error.</param>
/// <param name="StuckSamples">Identical raw registers for this many new samples → stuck (0 = off).</param>
public sealed record RigHealth(int StalePeriods, int BusErrorPeriods, int StuckSamples);

/// <summary>Load aggregation settings.</summary>
/// <param name="DecayS">Time constant of a missing sensor's estimate, s.</param>
/// <param name="MaxEstimatedFraction">Estimated weight above which the load is reported missing.</param>
public sealed record RigAggregation(double DecayS, double MaxEstimatedFraction);
