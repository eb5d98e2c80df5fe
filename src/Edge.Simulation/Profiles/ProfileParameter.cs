namespace Edge.Simulation.Profiles;

/// <summary>One documented, range-checked parameter of a load profile (e.g. <c>peak_w</c>).</summary>
/// <param name="Name">Name as written in a profile spec (snake_case, unit suffix).</param>
/// <param name="Default">Value when the spec does not set it.</param>
/// <param name="Min">Smallest accepted value.</param>
/// <param name="Max">Largest accepted value.</param>
/// <param name="Description">What it does, for help text and the README.</param>
public sealed record ProfileParameter(string Name, double Default, double Min, double Max, string Description);
