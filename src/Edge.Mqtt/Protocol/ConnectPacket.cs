namespace Edge.Mqtt.Protocol;

/// <summary>Fields of a CONNECT packet (MQTT 3.1.1 §3.1), already checked by the options that produced them.</summary>
public sealed class ConnectPacket
{
    /// <summary>Client identifier (may be empty only with a clean session).</summary>
    public required string ClientId { get; init; }

    /// <summary>True: the broker discards any previous session; false: it resumes it (persistent session).</summary>
    public bool CleanSession { get; init; } = true;

    /// <summary>Keep-alive period, s (0 = off).</summary>
    public ushort KeepAliveS { get; init; }

    /// <summary>Will topic, or null for no Will.</summary>
    public string? WillTopic { get; init; }

    /// <summary>Will payload.</summary>
    public ReadOnlyMemory<byte> WillPayload { get; init; }

    /// <summary>Will QoS (0 or 1).</summary>
    public MqttQualityOfServiceLevel WillQos { get; init; }

    /// <summary>Will retained flag.</summary>
    public bool WillRetain { get; init; }

    /// <summary>User name, or null.</summary>
    public string? Username { get; init; }

    /// <summary>Password bytes, or null (requires a user name in MQTT 3.1.1).</summary>
    public ReadOnlyMemory<byte>? Password { get; init; }
}
