using Edge.Core.Devices;
using Edge.Devices.Bindings;
using Edge.Devices.Gpio;
using Edge.Devices.I2c;
using Edge.Devices.Ina226;
using Edge.Devices.Ina228;
using Edge.Devices.Sensors;
using Edge.Devices.Shunts;

namespace Edge.Devices.Rig;

/// <summary>
/// Builds the drivers of a <see cref="RigDefinition"/> over a backend: GPIO lines first (ALERT inputs are needed by
/// sensors), then one INA226/INA228 driver and <see cref="ShuntPowerSensor"/> per sensor, one <see cref="Ads1115PowerMonitor"/>
/// (Iot.Device.Bindings' Ads1115) in a <see cref="ShuntPowerSensor"/> per power channel, and one <see cref="TemperatureSensor"/>
/// (Iot.Device.Bindings' Lm75) per temperature sensor — each on its bus, sampled by that bus's sampler. The slow-register reads of
/// the sensors sharing a bus are staggered so each period carries the same bus load. Chips are not initialised here
/// (call <see cref="RigDevices.InitializeAll"/>). On failure everything opened so far is closed again.
/// </summary>
public static class RigAssembler
{
    /// <summary>Opens every device of <paramref name="rig"/> through <paramref name="backend"/>.</summary>
    public static RigDevices Build(RigDefinition rig, IRigBackend backend)
    {
        ArgumentNullException.ThrowIfNull(rig);
        ArgumentNullException.ThrowIfNull(backend);
        var owned = new List<IDisposable>();
        try
        {
            var inputs = new List<GpioDigitalInput>();
            var outputs = new List<GpioDigitalOutput>();
            foreach (RigGpioLine line in rig.Gpio)
            {
                IGpioLine opened = backend.OpenGpioLine(line);
                if (line.Settings.Direction == GpioDirection.Input)
                {
                    var input = new GpioDigitalInput(line.Id, opened);
                    owned.Add(input);
                    inputs.Add(input);
                }
                else
                {
                    var output = new GpioDigitalOutput(line.Id, opened);
                    owned.Add(output);
                    outputs.Add(output);
                }
            }

            var sensors = new List<ShuntPowerSensor>();
            var byBus = new List<List<ShuntPowerSensor>>();
            var thermometersByBus = new List<List<TemperatureSensor>>();
            foreach (RigBus bus in rig.Buses)
            {
                var onBus = new List<ShuntPowerSensor>();
                int slot = 0;
                foreach (RigSensor s in rig.Sensors)
                {
                    if (s.Bus != bus.Id)
                    {
                        continue;
                    }

                    II2cDevice device = backend.OpenI2cDevice(bus, s.Address);
                    owned.Add(device);
                    IDigitalInput? alert = s.AlertGpio is null ? null : inputs.Find(i => i.Id == s.AlertGpio);
                    var sensor = new ShuntPowerSensor(s.Id, CreateMonitor(s, device), SensorOptions(rig, s, slot++), alert);
                    onBus.Add(sensor);
                }

                foreach (RigPowerChannel c in rig.PowerChannels)
                {
                    if (c.Bus == bus.Id)
                    {
                        System.Device.I2c.I2cDevice device = OpenBindingDevice(backend, bus, c.Address, c.Path);
                        owned.Add(device);
                        onBus.Add(new ShuntPowerSensor(c.Id, new Ads1115PowerMonitor(device, c.Channel), ChannelOptions(rig, c)));
                    }
                }

                var thermometers = new List<TemperatureSensor>();
                foreach (RigTemperatureSensor t in rig.TemperatureSensors)
                {
                    if (t.Bus == bus.Id)
                    {
                        System.Device.I2c.I2cDevice device = OpenBindingDevice(backend, bus, t.Address, t.Path);
                        owned.Add(device);
                        thermometers.Add(new TemperatureSensor(t.Id, new Lm75Thermometer(device), t.Options));
                    }
                }

                byBus.Add(onBus);
                thermometersByBus.Add(thermometers);
            }

            // Rig order, not bus order, is the snapshot order: the INA sensors, then the power channels.
            foreach (string id in rig.Sensors.Select(s => s.Id).Concat(rig.PowerChannels.Select(c => c.Id)))
            {
                sensors.Add(byBus.SelectMany(b => b).First(x => x.Id == id));
            }

            var keep = Enumerable.Range(0, byBus.Count).Where(b => byBus[b].Count > 0 || thermometersByBus[b].Count > 0).ToList();
            var temperatures = rig.TemperatureSensors.Select(t => thermometersByBus.SelectMany(b => b).First(x => x.Id == t.Id)).ToList();
            return new RigDevices(rig, sensors, [.. keep.Select(b => byBus[b].ToArray())], temperatures, [.. keep.Select(b => thermometersByBus[b].ToArray())], inputs, outputs, owned);
        }
        catch
        {
            for (int i = owned.Count - 1; i >= 0; i--)
            {
                owned[i].Dispose();
            }

            throw;
        }
    }

    /// <summary>Creates the chip driver for a rig sensor.</summary>
    public static IShuntMonitor CreateMonitor(RigSensor sensor, II2cDevice device)
    {
        ArgumentNullException.ThrowIfNull(sensor);
        ArgumentNullException.ThrowIfNull(device);
        bool alert = sensor.ConversionReady == ConversionReadyMode.AlertPin;
        if (sensor.Type == RigSensorType.Ina226)
        {
            Ina226ConversionTimes.TryFromMicroseconds(sensor.BusConversionUs, out Ina226ConversionTime bus);
            Ina226ConversionTimes.TryFromMicroseconds(sensor.ShuntConversionUs, out Ina226ConversionTime shunt);
            return new Ina226Driver(device, new Ina226Options
            {
                ShuntOhm = sensor.ShuntOhm,
                MaxCurrentA = sensor.MaxCurrentA,
                CurrentLsbA = sensor.CurrentLsbA,
                Averaging = sensor.Averaging,
                BusConversionTime = bus,
                ShuntConversionTime = shunt,
                AlertOnConversionReady = alert,
            });
        }

        Ina228ConversionTimes.TryFromMicroseconds(sensor.BusConversionUs, out Ina228ConversionTime bus228);
        Ina228ConversionTimes.TryFromMicroseconds(sensor.ShuntConversionUs, out Ina228ConversionTime shunt228);
        Ina228ConversionTimes.TryFromMicroseconds(sensor.TemperatureConversionUs, out Ina228ConversionTime temperature);
        return new Ina228Driver(device, new Ina228Options
        {
            ShuntOhm = sensor.ShuntOhm,
            MaxCurrentA = sensor.MaxCurrentA,
            CurrentLsbA = sensor.CurrentLsbA,
            AdcRange = sensor.AdcRange,
            Averaging = sensor.Averaging,
            BusConversionTime = bus228,
            ShuntConversionTime = shunt228,
            TemperatureConversionTime = temperature,
            AlertOnConversionReady = alert,
        });
    }

    /// <summary>
    /// The dotnet/iot face of a device for a binding: Edge's backends open <see cref="EdgeI2cDevice"/>s, which are
    /// <see cref="System.Device.I2c.I2cDevice"/>s (a binding throws through that face; its caller catches).
    /// </summary>
    private static System.Device.I2c.I2cDevice OpenBindingDevice(IRigBackend backend, RigBus bus, int address, string path)
    {
        II2cDevice device = backend.OpenI2cDevice(bus, address);
        if (device is System.Device.I2c.I2cDevice iot)
        {
            return iot;
        }

        device.Dispose();
        throw new DeviceOpenException(path, 0, $"{path}: the backend's device at 0x{address:X2} on \"{bus.Id}\" is not a System.Device.I2c.I2cDevice, which the binding needs.");
    }

    /// <summary>A binding channel: continuous conversions (a result every period), one read per period, the rig's health counts.</summary>
    private static ShuntSensorOptions ChannelOptions(RigDefinition rig, RigPowerChannel c) => new()
    {
        ConversionReady = ConversionReadyMode.None,
        FastReadSet = ShuntReadSet.Power,
        SlowReadSet = ShuntReadSet.None,
        FullReadEveryPeriods = 0,
        Health = new SensorHealthOptions
        {
            StalePeriods = rig.Health.StalePeriods,
            BusErrorPeriods = rig.Health.BusErrorPeriods,
            StuckSamples = rig.Health.StuckSamples,
            MinPowerW = c.MinPowerW,
            MaxPowerW = c.MaxPowerW,
        },
    };

    private static ShuntSensorOptions SensorOptions(RigDefinition rig, RigSensor s, int slotOnBus) => new()
    {
        ConversionReady = s.ConversionReady,
        FullReadEveryPeriods = s.SlowReadEvery,
        FullReadPhase = s.SlowReadEvery > 0 ? slotOnBus % s.SlowReadEvery : 0,
        Health = new SensorHealthOptions
        {
            StalePeriods = rig.Health.StalePeriods,
            BusErrorPeriods = rig.Health.BusErrorPeriods,
            StuckSamples = rig.Health.StuckSamples,
            MinPowerW = s.MinPowerW,
            MaxPowerW = s.MaxPowerW,
            MinBusVoltageV = s.MinBusVoltageV,
            MaxBusVoltageV = s.MaxBusVoltageV,
        },
    };
}
