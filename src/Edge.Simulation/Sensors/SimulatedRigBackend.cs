using Edge.Devices;
using Edge.Devices.Gpio;
using Edge.Devices.I2c;
using Edge.Devices.Rig;
using Edge.Simulation.Chips;
using Edge.Simulation.Gpio;
using Edge.Simulation.Ina;
using Edge.Simulation.Profiles;

namespace Edge.Simulation.Sensors;

/// <summary>
/// Builds the physical side of a rig in simulation: one <see cref="SimulatedI2cBus"/> per bus, a register-level
/// <see cref="SimulatedIna226"/>/<see cref="SimulatedIna228"/> per sensor at its address carrying its share of the
/// cluster load profile, a register-level <see cref="SimulatedAds1115"/> per power channel (its input the Hall/CT
/// transducer's voltage for its share of the load) and a <see cref="SimulatedLm75"/> per temperature sensor — the
/// Iot.Device.Bindings bindings talk to those — and simulated GPIO chips (the ALERT outputs wired to the lines named in "alertGpio"). The real
/// drivers run on top through <see cref="RigAssembler"/>. Tests reach the simulators through <see cref="Chip"/>,
/// <see cref="Bus"/> and <see cref="Line"/> to inject faults.
/// </summary>
public sealed class SimulatedRigBackend : IRigBackend
{
    private readonly RigDefinition _rig;
    private readonly Func<long> _clock;
    private readonly Dictionary<string, SimulatedI2cBus> _buses = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SimulatedInaChip> _chips = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SimulatedAds1115> _adcs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SimulatedLm75> _thermometers = new(StringComparer.Ordinal);
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
        double totalWeight = rig.Sensors.Sum(s => s.Weight) + rig.PowerChannels.Sum(c => c.Weight);
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

        foreach (RigPowerChannel channel in rig.PowerChannels)
        {
            // A Hall/CT transducer: its output voltage is the inverse of the channel's transfer function at its share of the load.
            double share = double.IsNaN(channel.SimulatedLoadShare) ? channel.Weight / totalWeight : channel.SimulatedLoadShare;
            double gain = channel.Channel.GainWPerV, offset = channel.Channel.OffsetW;
            var adc = new SimulatedAds1115(clock, (ulong)(channel.Address + 1) * 0x9E3779B97F4A7C15UL + (ulong)_adcs.Count) { NoiseVolts = channel.SimulatedNoiseVolts };
            int input = channel.Channel.Input switch
            {
                Iot.Device.Ads1115.InputMultiplexer.AIN0 or Iot.Device.Ads1115.InputMultiplexer.AIN0_AIN1 or Iot.Device.Ads1115.InputMultiplexer.AIN0_AIN3 => 0,
                Iot.Device.Ads1115.InputMultiplexer.AIN1 or Iot.Device.Ads1115.InputMultiplexer.AIN1_AIN3 => 1,
                Iot.Device.Ads1115.InputMultiplexer.AIN2 or Iot.Device.Ads1115.InputMultiplexer.AIN2_AIN3 => 2,
                _ => 3,
            };
            adc.SetInput(input, tS => ((profile.PowerAt(tS) * share) - offset) / gain);
            _buses[channel.Bus].Attach(channel.Address, adc);
            _adcs[channel.Id] = adc;
        }

        foreach (RigTemperatureSensor t in rig.TemperatureSensors)
        {
            var lm75 = new SimulatedLm75(t.SimulatedTemperatureC);
            _buses[t.Bus].Attach(t.Address, lm75);
            _thermometers[t.Id] = lm75;
        }
    }

    /// <summary>The simulated ADS1115 of power channel <paramref name="channelId"/>.</summary>
    public SimulatedAds1115 Adc(string channelId) => _adcs[channelId];

    /// <summary>The simulated LM75 of temperature sensor <paramref name="sensorId"/>.</summary>
    public SimulatedLm75 Thermometer(string sensorId) => _thermometers[sensorId];

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
