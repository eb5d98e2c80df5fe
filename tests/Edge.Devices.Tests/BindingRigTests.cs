using Edge.Core.Control;
using Edge.Core.Devices;
using Edge.Core.Timing;
using Edge.Devices.Bindings;
using Edge.Devices.I2c;
using Edge.Devices.Rig;
using Edge.Devices.Sensors;
using Edge.Simulation.Sensors;
using Xunit.Abstractions;

namespace Edge.Devices.Tests;

/// <summary>
/// Issue 17, item 3 — rigs speak bindings: hardware/rigs/sim-bindings.json names an ADS1115 power channel (a Hall
/// transducer with a transfer function) and an LM75 cabinet thermometer next to two INA226. Iot.Device.Bindings' own
/// Ads1115 and Lm75 classes talk to the register-level simulators over the simulated bus; the channel joins the rack
/// snapshot and feeds the controller; the thermometer's alarm band has hysteresis; a NACK from either binding is a bus
/// error backed off on the sampler, never an exception out of a period; and a period still allocates nothing.
/// </summary>
public sealed class BindingRigTests(ITestOutputHelper output)
{
    private const long PeriodNs = 1_000_000;

    private sealed class Loop : IDisposable
    {
        public Loop()
        {
            Rig = RigLoader.Load(Repo.Rig("sim-bindings.json"));
            Backend = new SimulatedRigBackend(Rig, Profile, Clock.Read);
            Devices = RigAssembler.Build(Rig, Backend);
            Snapshot = new RackSnapshot(Devices.SensorCount, 0);
            Controller = new SmoothingController(new ControllerOptions
            {
                PeriodMs = 1,
                RampUpWPerS = 400,
                RampDownWPerS = 400,
                EnergyWh = 200,
                MaxChargeW = 4000,
                MaxDischargeW = 4000,
            });
        }

        public SquareProfile Profile { get; } = new(1000, 3400, 2);

        public VirtualClock Clock { get; } = new();

        public RigDefinition Rig { get; }

        public SimulatedRigBackend Backend { get; }

        public RigDevices Devices { get; }

        public RackSnapshot Snapshot { get; }

        public SmoothingController Controller { get; }

        public Decision Last;

        private double _batteryW;

        public int Index(string id) => Devices.Sensors.ToList().FindIndex(s => s.Id == id);

        public void Period()
        {
            Clock.Advance(PeriodNs);
            long now = Clock.NowNs;
            Backend.AdvanceTo(now);
            Devices.SampleAll(now);
            InputHealth flags = Devices.FillSnapshot(Snapshot, now);
            var input = new TickInput
            {
                NowNs = now,
                LoadW = Snapshot.LoadW,
                BatteryMeasuredW = _batteryW,
                SocPct = 50,
                AllowedChargeW = 4000,
                AllowedDischargeW = 4000,
                Health = flags,
            };
            Last = Controller.Decide(in input);
            _batteryW = Last.BatterySetpointW;
        }

        public void Run(int periods)
        {
            for (int i = 0; i < periods; i++)
            {
                Period();
            }
        }

        public void Dispose() => Devices.Dispose();
    }

    [Fact]
    public void The_rig_file_names_the_bindings_and_the_loader_types_them()
    {
        RigDefinition rig = RigLoader.Load(Repo.Rig("sim-bindings.json"));
        RigPowerChannel hall = Assert.Single(rig.PowerChannels);
        Assert.Equal(Iot.Device.Ads1115.MeasuringRange.FS6144, hall.Channel.Range);
        Assert.Equal(Iot.Device.Ads1115.DataRate.SPS860, hall.Channel.DataRate);
        Assert.Equal(1000, hall.Channel.GainWPerV);
        Assert.Equal(-500, hall.Channel.OffsetW);
        RigTemperatureSensor cabinet = Assert.Single(rig.TemperatureSensors);
        Assert.Equal(1000, cabinet.Options.ReadEveryPeriods);
        Assert.Equal(45, cabinet.Options.HighC);
        Assert.Equal(3, cabinet.Options.HysteresisC);
    }

    [Fact]
    public void An_ads1115_channel_and_an_lm75_load_and_run_on_the_simulated_bus_through_the_real_bindings()
    {
        using var loop = new Loop();
        Assert.Empty(loop.Devices.InitializeAll());
        Assert.Equal(3, loop.Devices.SensorCount); // two INA226 + the ADS1115 channel, in the snapshot
        Assert.Equal(1, loop.Devices.BusCount); // one sampler thread reads all of them
        Assert.IsType<Ads1115PowerMonitor>(loop.Devices.Sensors[2].Monitor);
        int hall = loop.Index("rack2-hall");
        TemperatureSensor cabinet = Assert.Single(loop.Devices.TemperatureSensors);

        double worstErrorW = 0;
        for (int k = 1; k <= 4000; k++)
        {
            loop.Period();
            double t = k * 1e-3;
            if (k > 10 && t % 1.0 is > 0.05 and < 0.95)
            {
                double truth = loop.Profile.PowerAt(t);
                Assert.All(loop.Snapshot.Sensors, r => Assert.Equal(SensorHealth.Ok, r.Health));
                Assert.Equal(0.75 * truth, loop.Snapshot.Sensors[hall].PowerW, 0.004 * truth); // quantisation 0.19 W + 0.5 mV noise
                worstErrorW = Math.Max(worstErrorW, Math.Abs(loop.Snapshot.LoadW - truth));
            }
        }

        output.WriteLine($"worst load error {worstErrorW:0.00} W; ADS1115 conversions {loop.Backend.Adc("rack2-hall").ConversionCount}; last volts {((Ads1115PowerMonitor)loop.Devices.Sensors[hall].Monitor).LastVolts:0.0000} V");
        Assert.True(worstErrorW < 0.005 * 3400, $"{worstErrorW} W");
        Assert.NotEqual(0, loop.Last.BatterySetpointW); // the controller worked on the summed load
        Assert.True(cabinet.TryRead(out TemperatureReading reading));
        Assert.Equal(25, reading.TemperatureC, 0.125);
        Assert.Equal(SensorHealth.Ok, reading.Health);
        Assert.False(reading.High);
        Assert.Equal(4u, reading.Sequence); // read once a second: at start and after 1, 2 and 3 s
    }

    [Fact]
    public void The_cabinet_alarm_band_has_hysteresis()
    {
        using var loop = new Loop();
        Assert.Empty(loop.Devices.InitializeAll());
        Simulation.Chips.SimulatedLm75 lm75 = loop.Backend.Thermometer("cabinet");
        TemperatureSensor cabinet = loop.Devices.TemperatureSensors[0];

        TemperatureReading After(double celsius)
        {
            lm75.TemperatureC = celsius;
            loop.Run(1000); // one read a second
            Assert.True(cabinet.TryRead(out TemperatureReading r));
            Assert.Equal(celsius, r.TemperatureC, 0.125);
            return r;
        }

        Assert.False(After(44.5).High);
        Assert.True(After(45).High); // raised at highC
        Assert.True(After(43).High); // held inside the hysteresis
        Assert.True(After(42.5).High);
        Assert.False(After(42).High); // cleared at highC − hysteresisC
        Assert.False(After(44.9).High);
        Assert.True(After(80).High);
        Assert.False(After(20).High);
        Assert.True(After(5).Low); // the low band mirrors it
        Assert.True(After(7.5).Low);
        Assert.False(After(8).Low);
        TemperatureReading implausible = After(-50); // below the plausible range: a sensor fault, not a temperature
        Assert.Equal(SensorHealth.OutOfRange, implausible.Health);
        Assert.False(implausible.Low); // the band keeps its last verdict while the sensor is unhealthy
    }

    [Fact]
    public void A_nack_from_a_binding_is_a_bus_error_backed_off_on_the_sampler_and_recovers()
    {
        using var loop = new Loop();
        Assert.Empty(loop.Devices.InitializeAll());
        loop.Run(100);
        int hall = loop.Index("rack2-hall");
        ShuntPowerSensor channel = loop.Devices.Sensors[hall];
        Simulation.Chips.SimulatedAds1115 adc = loop.Backend.Adc("rack2-hall");
        Simulation.Chips.SimulatedLm75 lm75 = loop.Backend.Thermometer("cabinet");
        TemperatureSensor cabinet = loop.Devices.TemperatureSensors[0];

        adc.Nack = true;
        lm75.Nack = true;
        long transfersBefore = adc.TransactionCount;
        loop.Run(2); // busErrorPeriods = 2
        Assert.Equal(SensorHealth.BusError, loop.Snapshot.Sensors[hall].Health);
        Assert.True(loop.Snapshot.LoadDegraded); // the aggregator estimates rack 2
        loop.Run(998);
        long transfers = adc.TransactionCount - transfersBefore;
        output.WriteLine($"1000 periods with the ADS1115 NACKing: {transfers} transactions attempted, {channel.BackedOffPeriods} periods backed off; LM75 reads attempted {cabinet.ReadAttempts}");
        Assert.True(transfers <= 60, $"{transfers} transactions: the dead channel was not backed off");
        Assert.Equal(SensorHealth.BusError, loop.Snapshot.Sensors[hall].Health);
        Assert.Equal(I2cStatus.NoAcknowledge, channel.Monitor.LastStatus);
        loop.Run(1000); // the thermometer is read once a second: two failed reads → BusError
        Assert.True(cabinet.TryRead(out TemperatureReading t));
        Assert.Equal(SensorHealth.BusError, t.Health);

        adc.Nack = false;
        lm75.Nack = false;
        loop.Run(40); // the back-off cap is 32 periods
        Assert.Equal(SensorHealth.Ok, loop.Snapshot.Sensors[hall].Health);
        Assert.False(loop.Snapshot.LoadDegraded);
        loop.Run(32 * 1000); // the thermometer's cap is 32 read slots of 1 s
        Assert.True(cabinet.TryRead(out t));
        Assert.Equal(SensorHealth.Ok, t.Health);
    }

    [Fact]
    public void A_dead_binding_at_start_is_reported_and_retried()
    {
        using var loop = new Loop();
        loop.Backend.Adc("rack2-hall").Nack = true;
        IReadOnlyList<string> failures = loop.Devices.InitializeAll();
        Assert.Contains("rack2-hall", Assert.Single(failures), StringComparison.Ordinal);
        loop.Run(100);
        Assert.Equal(SensorHealth.Missing, loop.Snapshot.Sensors[loop.Index("rack2-hall")].Health);
        loop.Backend.Adc("rack2-hall").Nack = false;
        loop.Run(1100); // RetryInitPeriods = 1000
        Assert.True(loop.Devices.Sensors[loop.Index("rack2-hall")].IsInitialized);
        Assert.Equal(SensorHealth.Ok, loop.Snapshot.Sensors[loop.Index("rack2-hall")].Health);
    }

    [Fact]
    public void An_open_transducer_wire_is_out_of_range_not_a_power()
    {
        using var loop = new Loop();
        Assert.Empty(loop.Devices.InitializeAll());
        loop.Run(50);
        loop.Backend.Adc("rack2-hall").SetInput(0, _ => 0.0); // 0 V: below minVolts 0.3 (the transducer's 0 W is 0.5 V)
        loop.Run(5);
        Assert.Equal(SensorHealth.OutOfRange, loop.Snapshot.Sensors[loop.Index("rack2-hall")].Health);
        Assert.True(loop.Snapshot.LoadDegraded);
    }

    [Fact]
    public void A_period_with_the_binding_devices_allocates_nothing()
    {
        using var loop = new Loop();
        Assert.Empty(loop.Devices.InitializeAll());
        loop.Run(1500); // includes a thermometer read
        const int Periods = 3000; // three thermometer reads among them
        long bytes = Allocations.Measure(loop.Period, Periods);
        Assert.Equal(0, bytes);
        Assert.True(loop.Devices.TemperatureSensors[0].ReadAttempts >= 5);
    }
}
