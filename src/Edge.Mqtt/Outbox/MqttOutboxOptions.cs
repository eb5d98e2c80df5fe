using Edge.Core;

namespace Edge.Mqtt.Outbox;

/// <summary>Sizes of the outbox (configuration section <c>Mqtt:Outbox</c>).</summary>
public sealed class MqttOutboxOptions
{
    /// <summary>Messages held (queued + awaiting PUBACK) before telemetry is dropped.</summary>
    public int Capacity { get; set; } = 10_000;

    /// <summary>Extra room only critical messages (alarms, status) may use once the capacity is reached.</summary>
    public int CriticalReserve { get; set; } = 1_000;

    /// <summary>Largest payload accepted, bytes.</summary>
    public int MaxPayloadBytes { get; set; } = 256 * 1024;

    /// <summary>Path of the on-disk spool for QoS 1 messages, or null/empty for none.</summary>
    public string? SpoolPath { get; set; }

    /// <summary>Size at which the spool file is compacted, bytes.</summary>
    public long SpoolMaxBytes { get; set; } = 16L * 1024 * 1024;

    /// <summary>fsync the spool after every record (survives power loss, costs a disk flush per message).</summary>
    public bool SpoolFsync { get; set; }

    /// <summary>Checks every option; returns the errors (empty when valid).</summary>
    public IReadOnlyList<OptionError> Validate(string section = "Mqtt:Outbox")
    {
        var c = new OptionChecks(section);
        c.Range(nameof(Capacity), Capacity, 1, 10_000_000, "messages");
        c.Range(nameof(CriticalReserve), CriticalReserve, 0, 1_000_000, "messages");
        c.Range(nameof(MaxPayloadBytes), MaxPayloadBytes, 1, RemainingLengthLimit, "bytes");
        c.Range(nameof(SpoolMaxBytes), SpoolMaxBytes, 4096, 1e12, "bytes");
        return c.Errors;
    }

    private const int RemainingLengthLimit = Protocol.RemainingLength.Max - 65_600;
}
