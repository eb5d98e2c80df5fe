namespace Edge.Agents.Nvml;

/// <summary>The <c>nvmlReturn_t</c> codes Edge distinguishes (values as in nvml.h).</summary>
public enum NvmlReturn
{
    /// <summary>NVML_SUCCESS.</summary>
    Success = 0,

    /// <summary>NVML_ERROR_UNINITIALIZED.</summary>
    Uninitialized = 1,

    /// <summary>NVML_ERROR_INVALID_ARGUMENT.</summary>
    InvalidArgument = 2,

    /// <summary>NVML_ERROR_NOT_SUPPORTED: this GPU has no such feature.</summary>
    NotSupported = 3,

    /// <summary>NVML_ERROR_NO_PERMISSION: setting a limit needs root (or the admin's grant).</summary>
    NoPermission = 4,

    /// <summary>NVML_ERROR_NOT_FOUND.</summary>
    NotFound = 6,

    /// <summary>NVML_ERROR_LIBRARY_NOT_FOUND: no libnvidia-ml on this machine.</summary>
    LibraryNotFound = 12,

    /// <summary>NVML_ERROR_FUNCTION_NOT_FOUND: the driver is too old for this call.</summary>
    FunctionNotFound = 13,

    /// <summary>NVML_ERROR_GPU_IS_LOST.</summary>
    GpuIsLost = 15,

    /// <summary>NVML_ERROR_UNKNOWN.</summary>
    Unknown = 999,
}
