namespace Edge.Rig.Tests.Infrastructure;

/// <summary>Load profiles (Sim:Profile specs) the tests run the sim rig with.</summary>
internal static class Profiles
{
    /// <summary>
    /// An AI-training job that starts at once (no idle lead-in, no start ramp) and swings every 2–3 s between ~95 %
    /// and ~10–30 % of 3.2 kW, with no checkpoints, stalls or end within the test: the grid target follows slowly
    /// (τ ≈ 16 s), so the battery carries ±1–2 kW from the first seconds on.
    /// </summary>
    public const string Swinging =
        "ai-training:peak_w=3200,duration_s=120,seed=7,first_idle_s=0,start_ramp_s=0,iteration_min_s=2,iteration_max_s=3," +
        "comm_duty_min=0.4,comm_duty_max=0.5,crash_prob=0,stall_prob=0,job_mean_s=100000," +
        "checkpoint_every_min_s=3600,checkpoint_every_max_s=3600,noise_frac=0.005";

    /// <summary>
    /// Idle (~15 % of 3.2 kW) for 3 s, then one job that computes at ~95 % without a pause for the rest of the run: the
    /// battery takes the step and carries ~2.5 kW while the grid ramps up, so a stop begun any time in the following
    /// minute has a long ramp-out (the swinging profile's battery crosses 0 W twice per iteration).
    /// </summary>
    public const string Step =
        "ai-training:peak_w=3200,duration_s=600,seed=7,first_idle_s=3,start_ramp_s=0,iteration_min_s=3600,iteration_max_s=3600," +
        "comm_duty_min=0.01,comm_duty_max=0.02,crash_prob=0,stall_prob=0,job_mean_s=100000," +
        "checkpoint_every_min_s=3600,checkpoint_every_max_s=3600,noise_frac=0.005";
}
