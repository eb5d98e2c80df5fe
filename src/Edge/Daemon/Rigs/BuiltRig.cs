using Edge.Core.Devices;
using Edge.Devices.Rig;
using Edge.Simulation.Agents;
using Edge.Simulation.Inverter;
using Edge.Simulation.Profiles;
using Edge.Simulation.Sensors;

namespace Edge.Daemon.Rigs;

/// <summary>
/// Everything a rig provides to the loop, built and owned: the sensors (with their sampler threads), the inverters,
/// the optional site meter and safety I/O. Disposing it stops the samplers, the inverter workers and any simulated
/// devices, in reverse order of creation.
/// </summary>
internal sealed class BuiltRig : IDisposable
{
    private readonly List<IDisposable> _owned = [];

    public required string Name { get; init; }

    public required RigDefinition Definition { get; init; }

    public required RigDevices Devices { get; init; }

    public required RackSamplers Samplers { get; init; }

    public required IReadOnlyList<IBatteryInverter> Inverters { get; init; }

    public IPowerSensor? GridMeter { get; init; }

    /// <summary>The simulated sensors' hardware (sim and hil rigs), for fault injection and the E-stop line.</summary>
    public SimulatedRigBackend? Simulation { get; init; }

    /// <summary>The simulated inverters (sim rig, in-process), for the site meter and fault injection.</summary>
    public IReadOnlyList<SimulatedInverterHost> SimulatedInverters { get; init; } = [];

    /// <summary>The load profile driving the simulation (the racks, uncapped).</summary>
    public ILoadProfile? Profile { get; init; }

    /// <summary>The simulated site (sim and hil rigs): the racks less what the simulated GPU agents' caps withhold, and the simulated miners.</summary>
    public SimulatedSiteLoad? Site { get; init; }

    /// <summary>Lines that describe how the rig was built (shown at start and by edge check).</summary>
    public List<string> Notes { get; } = [];

    public void Own(IDisposable d) => _owned.Add(d);

    public void Dispose()
    {
        for (int i = _owned.Count - 1; i >= 0; i--)
        {
            try
            {
                _owned[i].Dispose();
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
            {
                // Best effort: keep closing the rest.
            }
        }

        _owned.Clear();
    }
}
