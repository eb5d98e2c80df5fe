using Edge.Devices;
using Edge.Devices.Gpio;
using Edge.Devices.I2c;
using Edge.Devices.Rig;
using Edge.Simulation.Gpio;
using Edge.Simulation.Ina;
using Edge.Simulation.Profiles;

namespace Edge.Simulation.Sensors;

/// <summary>
/// Builds the physical side of a rig in simulation: one <see cref="SimulatedI2cBus"/> per bus, a register-level
/// <see cref="SimulatedIna226"/>/<see cref="SimulatedIna228"/> per sensor at its address carrying its share of the
/// cluster load profile, and simulated GPIO chips (the ALERT outputs wired to the lines named in "alertGpio"). The real
/// drivers run on top through <see cref="RigAssembler"/>. Tests reach the simulators through <see cref="Chip"/>,
/// <see cref="Bus"/> and <see cref="Line"/> to inject faults.
/// </summary>
public sealed class SimulatedRigBackend : IRigBackend
{
    private readonly RigDefinition _rig;
    private readonly Func<long> _clock;
    private readonly Dictionary<string, SimulatedI2cBus> _buses = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SimulatedInaChip> _chips = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SimulatedGpioChip> _gpioChips = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SimulatedGpioLine> _lines = new(StringComparer.Ordinal);
    private readonly SimulatedI2cBus[] _busList;

    /// <summary>Creates the simulated hardware of <paramref name="rig"/> driven by <paramref name="profile"/> on <paramref name="clock"/> (ns).</summary>
    public SimulatedRigBackend(RigDefinition rig, ILoadProfile profile, Func<long> clock)
    {
        ArgumentNullException.ThrowIfNull(rig);
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(clock);
        _rig = rig;
        _clock = clock;
        int busNumber = 0;
        foreach (RigBus bus in rig.Buses)
        {
            _buses[bus.Id] = new SimulatedI2cBus(busNumber++, bus.SpeedHz);
        }

        _busList = [.. _buses.Values];
        double totalWeight = rig.Sensors.Sum(s => s.Weight);
        foreach (RigSensor sensor in rig.Sensors)
        {
            double share = double.IsNaN(sensor.Simulation.LoadShare) ? sensor.Weight / totalWeight : sensor.Simulation.LoadShare;
            double volts = double.IsNaN(sensor.Simulation.BusVoltageV)
                ? (sensor.Type == RigSensorType.Ina226 ? 12 : 48)
                : sensor.Simulation.BusVoltageV;
            var signal = new InaSignal(profile, share, volts, sensor.Simulation.SourceOhm, sensor.ShuntOhm, sensor.Simulation.NoiseLsb);
            SimulatedInaChip chip = sensor.Type == RigSensorType.Ina226
                ? new SimulatedIna226(signal, clock)
                : new SimulatedIna228(signal, clock);
            chip.SeedNoise((ulong)(sensor.Address + 1) * (ulong)(_buses.Count + 1) * 0x100000001B3UL + (ulong)_chips.Count);
            _buses[sensor.Bus].Attach(sensor.Address, chip);
            _chips[sensor.Id] = chip;
        }
    }

    /// <summary>The simulated chip of sensor <paramref name="sensorId"/>.</summary>
    public SimulatedInaChip Chip(string sensorId) => _chips[sensorId];

    /// <summary>The simulated bus <paramref name="busId"/>.</summary>
    public SimulatedI2cBus Bus(string busId) => _buses[busId];

    /// <summary>The requested GPIO line <paramref name="lineId"/>.</summary>
    public SimulatedGpioLine Line(string lineId) => _lines[lineId];

    /// <summary>Every simulated bus.</summary>
    public IReadOnlyList<SimulatedI2cBus> Buses => _busList;

    /// <summary>Lets every chip run up to <paramref name="nowNs"/> (conversions, ALERT edges) — call once per period. Allocation-free.</summary>
    public void AdvanceTo(long nowNs)
    {
        foreach (SimulatedI2cBus bus in _busList)
        {
            bus.Advance(nowNs);
        }
    }

    /// <inheritdoc />
    public II2cDevice OpenI2cDevice(RigBus bus, int address)
    {
        ArgumentNullException.ThrowIfNull(bus);
        if (bus.Kind != RigBusKind.Simulated)
        {
            throw new DeviceOpenException(bus.Path, 0,
                $"{bus.Path}: bus \"{bus.Id}\" is a Linux bus ({bus.Device}); the simulation backend only opens \"kind\": \"simulated\" buses.");
        }

        return _buses[bus.Id].CreateDevice(address);
    }

    /// <inheritdoc />
    public IGpioLine OpenGpioLine(RigGpioLine line)
    {
        ArgumentNullException.ThrowIfNull(line);
        if (!_gpioChips.TryGetValue(line.Chip, out SimulatedGpioChip? chip))
        {
            chip = new SimulatedGpioChip(line.Chip, 64, _clock);
            _gpioChips[line.Chip] = chip;
        }

        var opened = (SimulatedGpioLine)chip.RequestLine(line.Settings);
        _lines[line.Id] = opened;
        foreach (RigSensor sensor in _rig.Sensors)
        {
            if (sensor.AlertGpio == line.Id)
            {
                _chips[sensor.Id].AlertPin = opened;
            }
        }

        return opened;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (SimulatedGpioChip chip in _gpioChips.Values)
        {
            chip.Dispose();
        }
    }
}
