namespace Edge.Core.Levers;

/// <summary>
/// One lever as the coordinator plans with it: an agent's published capabilities (docs/agents.md), in W.
/// </summary>
/// <param name="Id">The agent id.</param>
/// <param name="Kind">Flexible load or GPU cap.</param>
/// <param name="MinW">Lowest commandable value (flex: lowest level; GPU: lowest cap), W.</param>
/// <param name="MaxW">Highest commandable value (flex: rated power; GPU: the free, maximum cap), W.</param>
/// <param name="StepW">Resolution of the lever (flex: one level step), W; 0 = continuous.</param>
/// <param name="ResponseS">Flex: time to curtail or restart the full range; GPU: time for a new cap to take effect, s.</param>
/// <param name="ReleaseWPerS">The lever's release rate, W/s: the coordinator never raises it faster when it is not absorbing.</param>
/// <param name="SmoothingProfile">GPU: the agent advertises the <c>smoothing-profile</c> knob (backstop tier 2 sets a profile instead of capping).</param>
public readonly record struct LeverSpec(string Id, LeverKind Kind, double MinW, double MaxW, double StepW, double ResponseS, double ReleaseWPerS, bool SmoothingProfile = false)
{
    /// <summary>The problems of this spec (empty when valid).</summary>
    public IEnumerable<string> Problems()
    {
        if (string.IsNullOrEmpty(Id))
        {
            yield return "a lever needs an id";
        }

        if (!double.IsFinite(MinW) || !double.IsFinite(MaxW) || MinW < 0 || MinW > MaxW || !(MaxW > 0))
        {
            yield return FormattableString.Invariant($"{Id}: need finite 0 ≤ min_w ≤ max_w, max_w > 0 (got {MinW}, {MaxW})");
        }

        if (!(StepW >= 0) || !double.IsFinite(StepW) || !(ResponseS >= 0) || !double.IsFinite(ResponseS))
        {
            yield return FormattableString.Invariant($"{Id}: the step and the response time must be finite and ≥ 0");
        }

        if (!(ReleaseWPerS > 0) || !double.IsFinite(ReleaseWPerS))
        {
            yield return FormattableString.Invariant($"{Id}: the release rate must be positive and finite");
        }
    }
}
