using Edge.Core.Control;

namespace Edge.Core.Replay;

/// <summary>
/// What sits between the trace and the grid beside one controller in a <see cref="ReplaySession"/>: node agents
/// (GPU nodes whose caps bind the racks' demand, flexible loads) and the lever coordinator. Per period the session
/// calls <see cref="Step"/> with the trace's demand, gives the controller the load the grid sees
/// (<see cref="RacksW"/> + <see cref="FlexW"/>), then <see cref="Decided"/> with its decision. Allocation-free per period.
/// </summary>
public interface IReplaySite
{
    /// <summary>What the racks draw this period (their demand, limited by GPU caps), W.</summary>
    double RacksW { get; }

    /// <summary>What the flexible loads draw this period, W.</summary>
    double FlexW { get; }

    /// <summary>The backstop tier of the last period (0 = none).</summary>
    int Tier { get; }

    /// <summary>Each lever's value this period (flexible-load level, GPU cap), W, in the order of its columns.</summary>
    ReadOnlySpan<double> LeverValues { get; }

    /// <summary>Advances the site's agents to <paramref name="nowNs"/> with the racks' demand <paramref name="demandW"/>.</summary>
    void Step(long nowNs, double demandW);

    /// <summary>The controller decided for this period (the battery's actual power is <paramref name="batteryW"/>).</summary>
    void Decided(in TickInput input, in Decision decision, double batteryW);
}
