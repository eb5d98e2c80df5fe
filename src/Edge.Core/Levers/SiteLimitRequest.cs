namespace Edge.Core.Levers;

/// <summary>
/// A grid request: the grid must draw at most <see cref="LimitW"/> from <see cref="StartNs"/> for
/// <see cref="DurationNs"/> (monotonic ns). Met at the controller's ramp limit unless
/// <see cref="EmergencyRampWPerS"/> authorises a faster one.
/// </summary>
/// <param name="Id">The request id (the operator command's id).</param>
/// <param name="LimitW">Grid power limit, W.</param>
/// <param name="StartNs">From when the limit must hold, ns.</param>
/// <param name="DurationNs">How long it holds, ns (&gt; 0).</param>
/// <param name="EmergencyRampWPerS">A faster ramp the request authorises, W/s; 0 = the configured ramp limit.</param>
public readonly record struct SiteLimitRequest(string Id, double LimitW, long StartNs, long DurationNs, double EmergencyRampWPerS = 0);
