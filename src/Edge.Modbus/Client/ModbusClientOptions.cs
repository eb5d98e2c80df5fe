using Edge.Core;

namespace Edge.Modbus.Client;

/// <summary>Connection settings of one Modbus TCP device; units in the names.</summary>
public sealed class ModbusClientOptions
{
    /// <summary>Host name or IP address of the device.</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>TCP port (502 by default).</summary>
    public int Port { get; set; } = 502;

    /// <summary>Time allowed for one request, from send to the last byte of the answer, ms. Always finite.</summary>
    public int RequestTimeoutMs { get; set; } = 1000;

    /// <summary>Time allowed for a TCP connect, ms.</summary>
    public int ConnectTimeoutMs { get; set; } = 2000;

    /// <summary>Least time between the end of one transaction and the start of the next, ms (slow PCS controllers need it).</summary>
    public double MinGapMs { get; set; }

    /// <summary>Wait before the second connect attempt after a failed one, ms; doubles per failure.</summary>
    public int ReconnectInitialMs { get; set; } = 100;

    /// <summary>Upper bound of the reconnect backoff, ms.</summary>
    public int ReconnectMaxMs { get; set; } = 5000;

    /// <summary>Checks every option; returns the errors (empty when valid).</summary>
    public IReadOnlyList<OptionError> Validate(string section = "Modbus")
    {
        var c = new OptionChecks(section);
        if (string.IsNullOrWhiteSpace(Host))
        {
            c.Fail(nameof(Host), "\"\"", "must name a host or IP address");
        }

        c.Range(nameof(Port), Port, 1, 65535, "");
        c.Range(nameof(RequestTimeoutMs), RequestTimeoutMs, 1, 60_000, "ms");
        c.Range(nameof(ConnectTimeoutMs), ConnectTimeoutMs, 1, 60_000, "ms");
        c.Range(nameof(MinGapMs), MinGapMs, 0, 10_000, "ms");
        c.Range(nameof(ReconnectInitialMs), ReconnectInitialMs, 1, 600_000, "ms");
        c.Range(nameof(ReconnectMaxMs), ReconnectMaxMs, ReconnectInitialMs, 600_000, "ms");
        return c.Errors;
    }

    /// <summary>Returns a copy.</summary>
    public ModbusClientOptions Clone() => (ModbusClientOptions)MemberwiseClone();
}
