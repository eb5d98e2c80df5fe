using BenchmarkDotNet.Attributes;
using Edge.Core.Baselines;
using Edge.Core.Control;
using Edge.Core.Devices;
using Edge.Core.Fakes;

namespace Edge.Benchmarks;

/// <summary>
/// One control tick as the loop runs it (docs/DESIGN.md §3): read 16 rack sensors and sum them, read 4 inverters and
/// aggregate them, decide with the smoothing controller, allocate the setpoint across the inverters and post it.
/// The peer in the same run is the same tick with the pinned low-pass baseline (the cheapest honest controller),
/// so the ratio is what the smoothing law costs on top of the plumbing. Goal: 0 B allocated per tick.
/// </summary>
[MemoryDiagnoser]
public class ControlTickBenchmark
{
    private const int Sensors = 16;
    private const int Inverters = 4;
    private readonly FakePowerSensor[] _sensors = new FakePowerSensor[Sensors];
    private readonly FakeBatteryInverter[] _inverters = new FakeBatteryInverter[Inverters];
    private readonly InverterState[] _states = new InverterState[Inverters];
    private readonly double[] _setpointsW = new double[Inverters];
    private SmoothingController _smoothing = null!;
    private LowPassController _lowPass = null!;
    private long _tick;

    /// <summary>Builds the rig: 16 sensors at 5 kW each, 4 inverters of 25 kW / 50 kWh.</summary>
    [GlobalSetup]
    public void Setup()
    {
        for (int i = 0; i < Sensors; i++)
        {
            _sensors[i] = new FakePowerSensor($"rack{i}");
            _sensors[i].Set(5000);
        }

        for (int i = 0; i < Inverters; i++)
        {
            _inverters[i] = new FakeBatteryInverter($"pcs{i}", 50_000, 25_000);
        }

        var options = new ControllerOptions
        {
            PeriodMs = 1,
            MaxChargeW = 100_000,
            MaxDischargeW = 100_000,
            EnergyWh = 200_000,
            RampUpWPerS = 800,
            RampDownWPerS = 800,
        };
        _smoothing = new SmoothingController(options);
        _lowPass = new LowPassController(options);
    }

    /// <summary>The peer: the same tick with the low-pass baseline.</summary>
    [Benchmark(Baseline = true)]
    public double TickLowPass() => Tick(_lowPass);

    /// <summary>The tick with the smoothing controller.</summary>
    [Benchmark]
    public double TickSmoothing() => Tick(_smoothing);

    private double Tick(IGridController controller)
    {
        long nowNs = ++_tick * 1_000_000L;
        // Sample.
        double loadW = 0;
        for (int i = 0; i < Sensors; i++)
        {
            if (_sensors[i].TryRead(out PowerReading r) && r.IsUsable)
            {
                loadW += r.PowerW;
            }
        }

        loadW += (_tick & 255) < 128 ? 40_000 : 0; // an all-reduce swing
        for (int i = 0; i < Inverters; i++)
        {
            _inverters[i].TryReadState(out _states[i]);
        }

        InverterAggregate battery = InverterAggregate.Of(_states);
        var input = new TickInput
        {
            NowNs = nowNs,
            LoadW = loadW,
            BatteryMeasuredW = battery.MeasuredPowerW,
            SocPct = battery.SocPct,
            AllowedChargeW = battery.AllowedChargeW,
            AllowedDischargeW = battery.AllowedDischargeW,
        };

        // Decide, allocate, actuate.
        Decision d = controller.Decide(input);
        BatteryAllocator.Allocate(d.BatterySetpointW, _states, 10, 90, _setpointsW);
        for (int i = 0; i < Inverters; i++)
        {
            _inverters[i].PostSetpoint(_setpointsW[i], nowNs);
        }

        return d.GridTargetW;
    }
}
