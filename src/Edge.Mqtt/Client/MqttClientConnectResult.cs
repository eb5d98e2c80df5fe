namespace Edge.Mqtt.Client;

/// <summary>The broker's answer to CONNECT.</summary>
/// <param name="ResultCode">CONNACK return code.</param>
/// <param name="IsSessionPresent">True when the broker resumed a stored session.</param>
public sealed record MqttClientConnectResult(MqttClientConnectResultCode ResultCode, bool IsSessionPresent);
