namespace Edge.Planning;

/// <summary>Which solver the grid planner uses (docs/planner.md §4, "the solver decision").</summary>
public enum PlannerSolver
{
    /// <summary>The purpose-written banded interior-point method (<see cref="BandedIpmSolver"/>): no library, no native code.</summary>
    Banded,

    /// <summary>Google OR-Tools' GLOP (<see cref="GridPlanLp"/>): ≈ 19 MB of native library in the process.</summary>
    Glop,
}
