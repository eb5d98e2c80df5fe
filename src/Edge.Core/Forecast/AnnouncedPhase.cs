namespace Edge.Core.Forecast;

/// <summary>
/// A phase announcement as the forecast, the lever coordinator and the planner use it: a node agent's or training
/// framework's <c>…/announce</c> message (or a line of replay's <c>--announce</c> file) resolved to the monotonic time
/// base of the loop. Known from <see cref="ReceivedNs"/> on, never earlier: replay must not let a consumer see it before
/// then. A later announcement with the same <see cref="Id"/> replaces the earlier one.
/// </summary>
/// <param name="Id">The announcement id.</param>
/// <param name="Kind">The phase.</param>
/// <param name="ReceivedNs">When it was received (monotonic ns).</param>
/// <param name="StartNs">When the phase begins (monotonic ns, ≥ <paramref name="ReceivedNs"/> − 60 s).</param>
/// <param name="PowerW">Expected rise or fall (≥ 0), or for <see cref="PhaseKind.Iteration"/> the peak-to-peak swing, W.</param>
/// <param name="DurationNs">Expected duration (checkpoints), 0 when not given.</param>
/// <param name="PeriodNs">Iteration period, 0 unless <paramref name="Kind"/> is <see cref="PhaseKind.Iteration"/>.</param>
public readonly record struct AnnouncedPhase(
    string Id, PhaseKind Kind, long ReceivedNs, long StartNs, double PowerW, long DurationNs, long PeriodNs);
