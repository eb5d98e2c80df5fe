namespace Edge.Core.Levers;

/// <summary>
/// What the levers cost so far (docs/agents.md, "Lever costs"): energy drawn by flexible loads, time they were held
/// below their planned level (curtailed), time GPU caps bound and the GPU energy they withheld.
/// </summary>
public struct LeverCosts
{
    /// <summary>Energy drawn by the flexible loads, Wh.</summary>
    public double FlexEnergyWh;

    /// <summary>Time during which at least one flexible load was curtailed to absorb a rise, s.</summary>
    public double CurtailedS;

    /// <summary>Time during which at least one GPU cap bound (the node drew at its cap, below its demand), s.</summary>
    public double GpuCappedS;

    /// <summary>Energy the GPU workloads wanted but did not get under the caps, Wh.</summary>
    public double GpuEnergyLostWh;
}
