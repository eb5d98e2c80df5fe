namespace Edge.Mqtt.Client;

/// <summary>CONNACK return codes (MQTT 3.1.1 §3.2.2.3).</summary>
public enum MqttClientConnectResultCode : byte
{
    /// <summary>Connection accepted.</summary>
    Success = 0,
    /// <summary>The broker does not support MQTT 3.1.1.</summary>
    UnacceptableProtocolVersion = 1,
    /// <summary>The client identifier is not allowed.</summary>
    ClientIdentifierNotValid = 2,
    /// <summary>The MQTT service is unavailable.</summary>
    ServerUnavailable = 3,
    /// <summary>Bad user name or password.</summary>
    BadUserNameOrPassword = 4,
    /// <summary>Not authorized.</summary>
    NotAuthorized = 5,
}
