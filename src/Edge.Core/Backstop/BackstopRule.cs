namespace Edge.Core.Backstop;

/// <summary>
/// One line of the backstop policy: when the in-band <paramref name="Measure"/> (amplitude or slope equivalent) of <paramref name="Signal"/> in band
/// <paramref name="Band"/> (an index into the policy's bands; null = the largest over all bands) reaches
/// <paramref name="EnterW"/>, the action becomes active; it ends once the amplitude is below <paramref name="ExitW"/>
/// (hysteresis: exit &lt; enter) and it has been active for at least <paramref name="MinDwellS"/>.
/// </summary>
/// <param name="Action">The response (its tier).</param>
/// <param name="Signal">Grid or load.</param>
/// <param name="Band">Band index, or null for any band.</param>
/// <param name="EnterW">Value that activates the rule (W, or W/s for a slope).</param>
/// <param name="ExitW">Value below which it may end (same unit).</param>
/// <param name="MinDwellS">Shortest time active, s.</param>
/// <param name="Measure">What is compared: amplitude (W) or slope equivalent (W/s).</param>
public sealed record BackstopRule(BackstopAction Action, BackstopSignal Signal, int? Band, double EnterW, double ExitW, double MinDwellS, BackstopMeasure Measure = BackstopMeasure.AmplitudeW);
