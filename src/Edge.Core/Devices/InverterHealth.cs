namespace Edge.Core.Devices;

/// <summary>Health of a battery inverter link and device, as seen by its driver.</summary>
public enum InverterHealth : byte
{
    /// <summary>Answering, enabled, accepting setpoints.</summary>
    Ok = 0,
    /// <summary>No fresh measurement within the configured age.</summary>
    Stale,
    /// <summary>The link is down (connection refused, timeouts); reconnecting.</summary>
    Offline,
    /// <summary>The device reports a fault or trip.</summary>
    Fault,
    /// <summary>Connected but not enabled for remote control (local mode, enable chain open).</summary>
    NotEnabled,
    /// <summary>Another controller holds the single-writer lease.</summary>
    LeaseLost,
    /// <summary>Never answered or not configured.</summary>
    Missing,
    /// <summary>
    /// Answering, but reporting values no working device can have (a SoC limit of 0 %, a rated power of 0 W, a scale
    /// factor out of range, an unimplemented point Edge needs): its values are not trusted; the driver's last error
    /// names the point.
    /// </summary>
    Misconfigured,
}
