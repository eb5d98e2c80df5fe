using Edge.Simulation.Profiles;

namespace Edge.Simulation.Agents;

/// <summary>
/// The load of a simulated site whose node agents are part of it, so that what the agents do is what the sensors and
/// the grid see:
/// <list type="bullet">
/// <item><b>Racks</b>: the profile, less what the caps of the attached <see cref="SimulatedGpuNode"/>s withhold — each
/// node's demand is its share of the profile (the caller builds it so), and at time t it draws
/// <c>min(demand(t), cap in force)</c>, so the racks draw <c>profile(t) − Σ max(0, demand(t) − cap)</c>.</item>
/// <item><b>Flexible loads</b>: the attached <see cref="SimulatedMiner"/>s' drawn power. Where they are depends on the
/// site's wiring (<see cref="FlexInLoad"/>): on the measured feeders (the load sensors see them) or on feeders of their
/// own (only the grid sees them). The point of connection carries them either way.</item>
/// </list>
/// As an <see cref="ILoadProfile"/> it is what the load sensors measure (<see cref="PowerAt"/>). Unlike a generated
/// profile it is not pure: it follows the agents' live state. Each device publishes its state through a volatile
/// double (its own thread steps it); this class only reads them, so sampling threads need no lock and allocate nothing.
/// Devices are attached before the site is sampled (a fixed table of <see cref="Capacity"/>; the count is published
/// after the slot, so a reader sees whole entries).
/// </summary>
public sealed class SimulatedSiteLoad : ILoadProfile
{
    /// <summary>Devices of each kind attached at most.</summary>
    public const int Capacity = 128;

    private readonly SimulatedGpuNode[] _gpus = new SimulatedGpuNode[Capacity];
    private readonly SimulatedMiner[] _miners = new SimulatedMiner[Capacity];
    private readonly double[] _minerRatedW = new double[Capacity];
    private int _gpuCount, _minerCount;

    /// <summary>Creates the site over the racks' profile.</summary>
    /// <param name="racks">The racks' load without caps (the GPU nodes' demand is part of it).</param>
    /// <param name="flexInLoad">True when the flexible loads are on the measured feeders.</param>
    public SimulatedSiteLoad(ILoadProfile racks, bool flexInLoad)
    {
        Racks = racks ?? throw new ArgumentNullException(nameof(racks));
        FlexInLoad = flexInLoad;
    }

    /// <summary>The racks' profile, uncapped (pure).</summary>
    public ILoadProfile Racks { get; }

    /// <summary>True when the load sensors measure the flexible loads too.</summary>
    public bool FlexInLoad { get; }

    /// <summary>The attached GPU nodes.</summary>
    public ReadOnlySpan<SimulatedGpuNode> GpuNodes => _gpus.AsSpan(0, Volatile.Read(ref _gpuCount));

    /// <summary>The attached flexible loads.</summary>
    public ReadOnlySpan<SimulatedMiner> Miners => _miners.AsSpan(0, Volatile.Read(ref _minerCount));

    /// <inheritdoc />
    public string Description => $"{Racks.Description}; {GpuNodes.Length} simulated GPU nodes within it, {Miners.Length} flexible loads {(FlexInLoad ? "on the measured feeders" : "on their own feeders")}";

    /// <summary>The largest load the sensors can measure, W: the racks' peak, plus the flexible loads' rated power when measured.</summary>
    public double PeakW
    {
        get
        {
            double w = Racks.PeakW;
            if (FlexInLoad)
            {
                int n = Volatile.Read(ref _minerCount);
                for (int i = 0; i < n; i++)
                {
                    w += _minerRatedW[i];
                }
            }

            return w;
        }
    }

    /// <inheritdoc />
    public double DurationS => Racks.DurationS;

    /// <summary>Attaches a GPU node whose demand is a share of <see cref="Racks"/> (before the site is sampled).</summary>
    public void Attach(SimulatedGpuNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        int n = _gpuCount;
        if (n == Capacity)
        {
            throw new InvalidOperationException($"At most {Capacity} simulated GPU nodes can be attached.");
        }

        _gpus[n] = node;
        Volatile.Write(ref _gpuCount, n + 1);
    }

    /// <summary>Attaches a flexible load of <paramref name="ratedW"/> (before the site is sampled).</summary>
    public void Attach(SimulatedMiner miner, double ratedW)
    {
        ArgumentNullException.ThrowIfNull(miner);
        int n = _minerCount;
        if (n == Capacity)
        {
            throw new InvalidOperationException($"At most {Capacity} simulated flexible loads can be attached.");
        }

        _miners[n] = miner;
        _minerRatedW[n] = ratedW;
        Volatile.Write(ref _minerCount, n + 1);
    }

    /// <summary>What the GPU nodes' caps withhold at <paramref name="timeS"/>, W.</summary>
    public double WithheldW(double timeS)
    {
        double w = 0;
        int n = Volatile.Read(ref _gpuCount);
        for (int i = 0; i < n; i++)
        {
            SimulatedGpuNode node = _gpus[i];
            w += Math.Max(0, node.DemandAt(timeS) - node.EffectiveCapW);
        }

        return w;
    }

    /// <summary>The racks' draw at <paramref name="timeS"/>: the profile less what the caps withhold, W.</summary>
    public double RacksW(double timeS) => Math.Max(0, Racks.PowerAt(timeS) - WithheldW(timeS));

    /// <summary>The flexible loads' draw now, W.</summary>
    public double FlexW
    {
        get
        {
            double w = 0;
            int n = Volatile.Read(ref _minerCount);
            for (int i = 0; i < n; i++)
            {
                w += _miners[i].PowerW;
            }

            return w;
        }
    }

    /// <summary>What the load sensors measure at <paramref name="timeS"/>: the racks, and the flexible loads when on the measured feeders, W.</summary>
    public double PowerAt(double timeS) => RacksW(timeS) + (FlexInLoad ? FlexW : 0);

    /// <summary>
    /// What the point of connection draws at <paramref name="timeS"/> before the batteries: the racks with the load
    /// no sensor sees (<paramref name="unmeasuredFraction"/> of the racks' draw: cooling, losses) and the flexible loads, W.
    /// </summary>
    public double GridLoadW(double timeS, double unmeasuredFraction) => (RacksW(timeS) * (1 + unmeasuredFraction)) + FlexW;
}
