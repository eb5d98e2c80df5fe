using Edge.Core.Devices;
using Edge.Devices.Gpio;
using Edge.Devices.I2c;
using Edge.Devices.Ina226;
using Edge.Devices.Ina228;
using Edge.Devices.Sensors;
using Edge.Devices.Shunts;

namespace Edge.Devices.Rig;

/// <summary>
/// Builds the drivers of a <see cref="RigDefinition"/> over a backend: GPIO lines first (ALERT inputs are needed by
/// sensors), then one INA226/INA228 driver and <see cref="ShuntPowerSensor"/> per sensor. The slow-register reads of
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

                byBus.Add(onBus);
            }

            // Rig order, not bus order, is the snapshot order.
            foreach (RigSensor s in rig.Sensors)
            {
                sensors.Add(byBus.SelectMany(b => b).First(x => x.Id == s.Id));
            }

            return new RigDevices(rig, sensors, [.. byBus.Where(b => b.Count > 0).Select(b => b.ToArray())], inputs, outputs, owned);
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
