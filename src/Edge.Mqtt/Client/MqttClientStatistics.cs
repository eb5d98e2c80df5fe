namespace Edge.Mqtt.Client;

/// <summary>Counters of one client since start.</summary>
/// <param name="Connects">Connections accepted by the broker.</param>
/// <param name="ConnectionLosses">Connections that ended without a clean DISCONNECT.</param>
/// <param name="MalformedPackets">Connections closed because the broker sent a malformed packet or violated the protocol.</param>
/// <param name="BytesSent">Bytes written.</param>
/// <param name="BytesReceived">Bytes of complete packets received.</param>
/// <param name="MessagesReceived">PUBLISH packets received.</param>
/// <param name="LastDisconnectReason">Why the last connection ended, or null.</param>
public sealed record MqttClientStatistics(
    long Connects,
    long ConnectionLosses,
    long MalformedPackets,
    long BytesSent,
    long BytesReceived,
    long MessagesReceived,
    string? LastDisconnectReason);
