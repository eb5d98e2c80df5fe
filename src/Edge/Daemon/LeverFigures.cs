using Edge.Core.Levers;

namespace Edge.Daemon;

/// <summary>What the lever coordinator did up to the last period (loop → publisher, latest value). Plain values.</summary>
internal struct LeverFigures
{
    /// <summary>Costs accounted so far.</summary>
    public LeverCosts Costs;

    /// <summary>The flexible loads' commanded total, W.</summary>
    public double FlexCommandW;

    /// <summary>The flexible loads' planned level (reserve), W.</summary>
    public double FlexReserveW;

    /// <summary>What the GPU nodes may draw together (∞: uncapped), W.</summary>
    public double GpuAllowedW;

    /// <summary>The battery power the plan counted on, W.</summary>
    public double BatteryBudgetW;

    /// <summary>True while the levers absorb what the battery cannot take.</summary>
    public bool Absorbing;

    /// <summary>Commands dropped because the sender's queue was full.</summary>
    public long CommandsDropped;

    /// <summary>True once a GPU agent has reported its demand (<c>demand_w</c>): before, the energy lost under caps is unknown.</summary>
    public bool GpuEnergyLostKnown;
}
