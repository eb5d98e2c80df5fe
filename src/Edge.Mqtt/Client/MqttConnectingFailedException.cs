namespace Edge.Mqtt.Client;

/// <summary>The first connection attempt of <see cref="MqttClient.ConnectAsync"/> failed.</summary>
public sealed class MqttConnectingFailedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public MqttConnectingFailedException(string message, MqttClientConnectResult? result, Exception? inner)
        : base(message, inner) => Result = result;

    /// <summary>Creates the exception.</summary>
    public MqttConnectingFailedException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public MqttConnectingFailedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public MqttConnectingFailedException(string message, Exception inner)
        : base(message, inner)
    {
    }

    /// <summary>The CONNACK, when the broker answered.</summary>
    public MqttClientConnectResult? Result { get; }
}
