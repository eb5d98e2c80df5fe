namespace Edge.Agents.Nvml;

/// <summary>
/// The few NVML calls the GPU agent makes, behind an interface so a fake drives the tests (there is no GPU here).
/// Power in mW as NVML counts it; a device is its index. No call throws: every answer is an <see cref="NvmlReturn"/>.
/// </summary>
public interface INvml
{
    /// <summary><c>nvmlInit_v2</c>.</summary>
    NvmlReturn Init();

    /// <summary><c>nvmlShutdown</c>.</summary>
    NvmlReturn Shutdown();

    /// <summary><c>nvmlDeviceGetCount_v2</c>.</summary>
    NvmlReturn DeviceCount(out uint count);

    /// <summary><c>nvmlDeviceGetHandleByIndex_v2</c>, kept by the implementation; later calls name the index.</summary>
    NvmlReturn OpenDevice(uint index);

    /// <summary><c>nvmlDeviceGetFieldValues</c> with <c>NVML_FI_DEV_POWER_INSTANT</c>: instantaneous power, mW.</summary>
    NvmlReturn PowerInstantMw(uint index, out uint powerMw);

    /// <summary><c>nvmlDeviceGetPowerManagementLimitConstraints</c>, mW.</summary>
    NvmlReturn PowerLimitConstraintsMw(uint index, out uint minMw, out uint maxMw);

    /// <summary><c>nvmlDeviceGetPowerManagementLimit</c>, mW.</summary>
    NvmlReturn PowerLimitMw(uint index, out uint limitMw);

    /// <summary><c>nvmlDeviceSetPowerManagementLimit</c>, mW (needs root).</summary>
    NvmlReturn SetPowerLimitMw(uint index, uint limitMw);

    /// <summary><c>nvmlDevicePowerSmoothingActivatePresetProfile</c> (Blackwell; NOT_SUPPORTED elsewhere).</summary>
    NvmlReturn ActivateSmoothingProfile(uint index, uint profile);

    /// <summary><c>nvmlDevicePowerSmoothingSetState</c>: enables or disables power smoothing (a released profile disables it).</summary>
    NvmlReturn SetSmoothingState(uint index, bool enabled);
}
