namespace Edge.Simulation.Profiles;

/// <summary>Creates load profiles from specs such as <c>ai-training:peak_w=2e6,seed=3</c> or <c>inference</c>.</summary>
public static class LoadProfiles
{
    /// <summary>Known profile names.</summary>
    public static IReadOnlyList<string> Names { get; } = ["ai-training", "inference"];

    /// <summary>The parameter table of profile <paramref name="name"/>.</summary>
    public static IReadOnlyList<ProfileParameter> ParametersOf(string name) => name switch
    {
        "ai-training" => AiTrainingProfile.Parameters,
        "inference" => InferenceProfile.Parameters,
        _ => throw new FormatException($"Unknown profile '{name}'. Known: {string.Join(", ", Names)}."),
    };

    /// <summary>Parses <paramref name="spec"/> and generates the profile. Throws <see cref="FormatException"/> naming any problem.</summary>
    public static SampledProfile Create(string spec)
    {
        ProfileSpec parsed = Check(spec);
        return parsed.Name.Trim() == "ai-training" ? AiTrainingProfile.Create(parsed) : InferenceProfile.Create(parsed);
    }

    /// <summary>
    /// Parses and checks <paramref name="spec"/> without generating the samples (option validation: an hour at 1 ms
    /// resolution takes a while to generate). Throws <see cref="FormatException"/> naming any problem; a spec that passes
    /// here is one <see cref="Create"/> accepts.
    /// </summary>
    public static ProfileSpec Check(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        int colon = spec.IndexOf(':', StringComparison.Ordinal);
        string name = (colon < 0 ? spec : spec[..colon]).Trim();
        return ProfileSpec.Parse(spec.Trim(), ParametersOf(name));
    }
}
