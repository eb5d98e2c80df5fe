using BenchmarkDotNet.Attributes;
using Edge.Core.Devices;
using Edge.Devices.Rig;
using Edge.Simulation.Ina;
using Edge.Simulation.Profiles;
using Edge.Core.Timing;
using Edge.Simulation.Sensors;

namespace Edge.Benchmarks;

/// <summary>
/// Sampling through the full driver stack against the register-level simulators: one 1 ms period of the
/// hardware/rigs/sim-8x-ina226.json rig (8 sensors × (conversion-ready poll + POWER) = 16 register reads, health,
/// aggregation into the snapshot). The peer (<see cref="BusOnly"/>, the baseline) performs the same 16 register
/// transfers straight on the simulated buses with no driver, health or aggregation, so the ratio is the cost of
/// Edge's own layers. Allocated bytes per operation are reported by the memory diagnoser (goal: 0).
/// </summary>
[MemoryDiagnoser]
public class SamplingBenchmarks
{
    private readonly VirtualClock _clock = new();
    private SimulatedRigBackend _backend = null!;
    private RigDevices _devices = null!;
    private RackSnapshot _snapshot = null!;
    private SimulatedI2cDevice[] _raw = null!;
    private readonly byte[] _pointer = new byte[1];
    private readonly byte[] _data = new byte[2];

    /// <summary>Builds the rig (the rig file is found by walking up to Edge.sln).</summary>
    [GlobalSetup]
    public void Setup()
    {
        string? dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "Edge.sln")))
        {
            dir = Path.GetDirectoryName(dir);
        }

        string rigPath = Path.Combine(dir ?? throw new InvalidOperationException("Edge.sln not found"), "hardware", "rigs", "sim-8x-ina226.json");
        RigDefinition rig = RigLoader.Load(rigPath);
        _backend = new SimulatedRigBackend(rig, new Square(), _clock.Read);
        _devices = RigAssembler.Build(rig, _backend);
        if (_devices.InitializeAll().Count != 0)
        {
            throw new InvalidOperationException("The simulated rig did not initialise.");
        }

        _snapshot = new RackSnapshot(rig.Sensors.Count, 0);
        _raw = [.. rig.Sensors.Select(s => _backend.Bus(s.Bus).CreateDevice(s.Address))];
    }

    /// <summary>The peer: 16 raw register transfers on the simulated buses.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = 16)]
    public void BusOnly()
    {
        _clock.Advance(1_000_000);
        foreach (SimulatedI2cDevice device in _raw)
        {
            _pointer[0] = 0x06;
            device.Status.WriteRead(_pointer, _data);
            _pointer[0] = 0x03;
            device.Status.WriteRead(_pointer, _data);
        }
    }

    /// <summary>One period through drivers, health and aggregation (16 register reads).</summary>
    [Benchmark(OperationsPerInvoke = 16)]
    public void FullStack()
    {
        _clock.Advance(1_000_000);
        _backend.AdvanceTo(_clock.NowNs);
        _devices.SampleAll(_clock.NowNs);
        _devices.FillSnapshot(_snapshot, _clock.NowNs);
    }

    /// <summary>Releases the rig.</summary>
    [GlobalCleanup]
    public void Cleanup() => _devices.Dispose();

    private sealed class Square : ILoadProfile
    {
        public string Description => "square 1.0–3.4 kW, 2 s";

        public double PeakW => 3400;

        public double DurationS => 2;

        public double PowerAt(double timeS) => (timeS % 2) < 1 ? 3400 : 1000;
    }
}
