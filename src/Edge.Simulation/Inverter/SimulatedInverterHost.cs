using System.Diagnostics;
using System.Net;
using Edge.Modbus.Server;

namespace Edge.Simulation.Inverter;

/// <summary>
/// Runs a <see cref="SunSpecInverterSimulator"/> in real time behind a real Modbus TCP server: a stepping thread
/// advances the physics every <c>stepPeriodMs</c> by the wall-clock time elapsed. Used by <c>edge sim inverter</c>,
/// integration tests and the in-process sim rig.
/// </summary>
public sealed class SimulatedInverterHost : IDisposable
{
    private readonly ModbusTcpServer _server;
    private readonly Thread _stepper;
    private readonly int _stepPeriodMs;
    private volatile bool _stopping;

    /// <summary>Starts the server on <paramref name="address"/>:<paramref name="port"/> (0 = a free port) and the stepping thread.</summary>
    public SimulatedInverterHost(SimulatedPcsOptions options, IPAddress address, int port, int stepPeriodMs = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(stepPeriodMs, 1);
        Simulator = new SunSpecInverterSimulator(options);
        _stepPeriodMs = stepPeriodMs;
        _server = new ModbusTcpServer(Simulator, address, port);
        _stepper = new Thread(StepLoop) { IsBackground = true, Name = $"sim-inverter:{_server.Port}" };
        _stepper.Start();
    }

    /// <summary>The simulated device.</summary>
    public SunSpecInverterSimulator Simulator { get; }

    /// <summary>The TCP port the server listens on.</summary>
    public int Port => _server.Port;

    /// <summary>Requests served so far.</summary>
    public long RequestCount => _server.RequestCount;

    /// <summary>Open client connections.</summary>
    public int ConnectionCount => _server.ConnectionCount;

    /// <summary>Sets or clears faults; <see cref="PcsFaults.DropConnection"/> also drops open links and refuses new ones.</summary>
    public void SetFaults(PcsFaults faults)
    {
        Simulator.SetFaults(faults);
        bool drop = (faults & PcsFaults.DropConnection) != 0;
        _server.RefuseConnections = drop;
        if (drop)
        {
            _server.DropConnections();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _stopping = true;
        _stepper.Join(TimeSpan.FromSeconds(2));
        _server.Dispose();
    }

    private void StepLoop()
    {
        long last = Stopwatch.GetTimestamp();
        while (!_stopping)
        {
            Thread.Sleep(_stepPeriodMs);
            long now = Stopwatch.GetTimestamp();
            double dtS = (now - last) / (double)Stopwatch.Frequency;
            last = now;
            Simulator.Step(Math.Min(dtS, 0.1)); // A stalled VM is not allowed to jump the battery by seconds.
        }
    }
}
