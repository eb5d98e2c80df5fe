namespace Edge.Core.Control;

/// <summary>
/// What a planner beside the loop hands the smoothing controller (through a <c>LatestValueMailbox</c>): a grid
/// reference <c>ReferenceW + SlopeWPerS · (t − FromNs)</c> valid over <c>[FromNs, ValidUntilNs)</c>. The controller
/// tracks it through its own ramp limiter, so a plan can steer the grid but never step it; outside its validity (no
/// planner, a late or failed solve) the controller falls back to its own low-pass reference — bumplessly, for the same
/// reason. Unmanaged, so a mailbox copies it as plain memory. A plan steers within the controller's power-headroom
/// envelope except on the side an announced move (<paramref name="Announced"/>) lets it cross.
/// </summary>
/// <param name="FromNs">Monotonic time the reference is given for, ns.</param>
/// <param name="ReferenceW">Grid reference at <paramref name="FromNs"/>, W.</param>
/// <param name="SlopeWPerS">Its slope, W/s.</param>
/// <param name="ValidUntilNs">The plan is not used from this time on, ns (0: no plan).</param>
/// <param name="Announced">Moves within the plan's horizon known from phase announcements.</param>
public readonly record struct GridPlan(long FromNs, double ReferenceW, double SlopeWPerS, long ValidUntilNs, AnnouncedMoves Announced = AnnouncedMoves.None)
{
    /// <summary>True when the plan applies at <paramref name="nowNs"/> and its figures are finite.</summary>
    public bool AppliesAt(long nowNs) =>
        ValidUntilNs > nowNs && nowNs >= FromNs - 1_000_000_000 && double.IsFinite(ReferenceW) && double.IsFinite(SlopeWPerS);

    /// <summary>The reference at <paramref name="nowNs"/>, W.</summary>
    public double ReferenceAt(long nowNs) => ReferenceW + (SlopeWPerS * (nowNs - FromNs) * 1e-9);
}
