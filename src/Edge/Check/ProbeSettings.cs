namespace Edge.Check;

/// <summary>How <see cref="InverterProbe"/> exercises a device.</summary>
/// <param name="StepW">Test step, W (null: 2 % of the device's rating).</param>
/// <param name="RampWPerS">The site's ramp limit, W/s, when known: a step never exceeds one second of it.</param>
/// <param name="RevertTimeoutS">The short WSetRvrtTms left to expire in the revert test, s.</param>
public sealed record ProbeSettings(double? StepW, double? RampWPerS, double RevertTimeoutS = 2);
