namespace Edge.Devices;

/// <summary>
/// A device could not be opened or set up (missing <c>/dev</c> node, permissions, a kernel driver owning the address,
/// wrong chip). Thrown at start-up only — never from the sampling path. The message names the device path.
/// </summary>
public sealed class DeviceOpenException : IOException
{
    /// <summary>Creates the exception.</summary>
    public DeviceOpenException()
    {
        DevicePath = string.Empty;
    }

    /// <summary>Creates the exception with a message.</summary>
    public DeviceOpenException(string message)
        : base(message)
    {
        DevicePath = string.Empty;
    }

    /// <summary>Creates the exception with a message and cause.</summary>
    public DeviceOpenException(string message, Exception innerException)
        : base(message, innerException)
    {
        DevicePath = string.Empty;
    }

    /// <summary>Creates the exception for <paramref name="devicePath"/>; the errno is kept for callers that branch on it.</summary>
    public DeviceOpenException(string devicePath, int errno, string message)
        : base(message)
    {
        DevicePath = devicePath;
        Errno = errno;
    }

    /// <summary>The device path involved (e.g. <c>/dev/i2c-1</c>).</summary>
    public string DevicePath { get; }

    /// <summary>The errno that caused the failure (0 if none).</summary>
    public int Errno { get; }
}
