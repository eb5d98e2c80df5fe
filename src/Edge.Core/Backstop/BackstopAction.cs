namespace Edge.Core.Backstop;

/// <summary>The response of a tier (the tier number is the escalation order).</summary>
public enum BackstopAction
{
    /// <summary>Tier 1: raise an alarm.</summary>
    Alarm = 1,

    /// <summary>Tier 2: GPU smoothing profile and/or power caps on the GPU agents.</summary>
    GpuSmoothing = 2,

    /// <summary>Tier 3: flexible loads fill the dips.</summary>
    FlexibleLoads = 3,

    /// <summary>Tier 4: ask the workload orchestrator to throttle requests.</summary>
    RequestThrottling = 4,
}
