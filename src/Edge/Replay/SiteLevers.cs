using System.Globalization;
using Edge.Simulation.Profiles;

namespace Edge.Replay;

/// <summary>
/// The levers of a replay (<c>--flex-load [SPEC]</c>, <c>--agents SPEC</c>), parsed and checked before anything runs.
/// SPECs are <c>key=value,…</c> like profiles; every key, default and range is in <see cref="FlexParameters"/> and
/// <see cref="AgentParameters"/>.
/// </summary>
/// <param name="Flex">The flexible loads, or null.</param>
/// <param name="Agents">The simulated GPU nodes, or null.</param>
public sealed record SiteLevers(ProfileSpec? Flex, ProfileSpec? Agents)
{
    /// <summary>Keys of <c>--flex-load</c>. Bare <c>--flex-load</c>: one miner-like load of 30 % of the trace's peak, 2 s to curtail or restart, 5 % steps.</summary>
    public static IReadOnlyList<ProfileParameter> FlexParameters { get; } =
    [
        new("rated_frac", 0.3, 1e-6, 10, "rated power of all flexible loads together, fraction of the trace's peak"),
        new("count", 1, 1, 1000, "number of flexible loads (the rated power is shared equally)"),
        new("transition_s", 2, 0.01, 3600, "time to curtail fully or to restart fully, s"),
        new("step_pct", 5, 0.1, 100, "level resolution, % of rated"),
        new("min_frac", 0, 0, 1, "lowest level the coordinator may command, fraction of rated"),
    ];

    /// <summary>Keys of <c>--agents</c>: GPU nodes sharing the racks' load, obeying caps after a response latency.</summary>
    public static IReadOnlyList<ProfileParameter> AgentParameters { get; } =
    [
        new("nodes", 8, 1, 1024, "number of GPU nodes (each draws an equal share of the racks' load; at most 1024, the agents a site's registry holds)"),
        new("share", 1, 1e-6, 1, "fraction of the racks' load drawn by these GPU nodes (the rest is not capped)"),
        new("min_cap_frac", 0.3, 0, 1, "lowest cap, fraction of a node's maximum (its share of the trace's peak)"),
        new("latency_s", 0.1, 0, 60, "time for a new cap to take effect, s"),
        new("release_frac", 1, 1e-3, 1, "the fleet's release rate, fraction of the ramp limit (shared by the nodes)"),
    ];

    /// <summary>True when there are no levers (plain battery replay).</summary>
    public bool IsEmpty => Flex is null && Agents is null;

    /// <summary>Parses the option texts (<paramref name="flexPresent"/> with a null spec is the bare flag). Throws <see cref="FormatException"/> naming the option.</summary>
    public static SiteLevers Parse(bool flexPresent, string? flexSpec, string? agentsSpec) =>
        new(flexPresent ? ParseOne("--flex-load", flexSpec, FlexParameters) : null,
            agentsSpec is null ? null : ParseOne("--agents", agentsSpec, AgentParameters));

    /// <summary>The levers as text for reports.</summary>
    public string Describe() =>
        string.Join(" · ", new[] { Flex is null ? null : "flex-load " + Detail(Flex, FlexParameters), Agents is null ? null : "agents " + Detail(Agents, AgentParameters) }.Where(s => s is not null));

    private static string Detail(ProfileSpec s, IReadOnlyList<ProfileParameter> parameters) =>
        string.Join(",", parameters.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Name}={s[p.Name]:G6}")));

    private static ProfileSpec ParseOne(string option, string? spec, IReadOnlyList<ProfileParameter> parameters)
    {
        if (spec is not null && string.IsNullOrWhiteSpace(spec))
        {
            throw new FormatException($"{option}: empty SPEC; give key=value,… or the bare flag. Keys: {Keys(parameters)}.");
        }

        try
        {
            return ProfileSpec.Parse(option + (spec is null ? string.Empty : ":" + spec), parameters);
        }
        catch (FormatException e)
        {
            throw new FormatException(e.Message.Replace($"Profile '{option}': ", $"{option}: ", StringComparison.Ordinal) + $" Keys: {Keys(parameters)}.", e);
        }
    }

    private static string Keys(IReadOnlyList<ProfileParameter> parameters) =>
        string.Join(", ", parameters.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Name} ({p.Default:G6})")));
}
