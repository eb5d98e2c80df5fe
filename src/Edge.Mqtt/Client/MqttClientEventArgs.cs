namespace Edge.Mqtt.Client;

/// <summary>Raised after a connection was accepted (also after every reconnect).</summary>
/// <param name="ConnectResult">The CONNACK.</param>
/// <param name="Server">The broker that accepted it.</param>
public sealed class MqttClientConnectedEventArgs(MqttClientConnectResult ConnectResult, MqttServer Server) : EventArgs
{
    /// <summary>The CONNACK.</summary>
    public MqttClientConnectResult ConnectResult { get; } = ConnectResult;

    /// <summary>The broker that accepted the connection (<c>Host:Port</c> or one of the failover servers).</summary>
    public MqttServer Server { get; } = Server;
}

/// <summary>Raised when a connection ended or an attempt failed.</summary>
public sealed class MqttClientDisconnectedEventArgs : EventArgs
{
    /// <summary>Creates the arguments.</summary>
    public MqttClientDisconnectedEventArgs(bool clientWasConnected, string reason, Exception? exception)
    {
        ClientWasConnected = clientWasConnected;
        Reason = reason;
        Exception = exception;
    }

    /// <summary>True when a connection had been accepted (false: an attempt failed).</summary>
    public bool ClientWasConnected { get; }

    /// <summary>Why, in words (e.g. "malformed packet from broker: …", "keep-alive: no PINGRESP within 5 s").</summary>
    public string Reason { get; }

    /// <summary>The underlying exception, if any.</summary>
    public Exception? Exception { get; }
}

/// <summary>Raised for every message the broker delivers.</summary>
public sealed class MqttApplicationMessageReceivedEventArgs : EventArgs
{
    /// <summary>Creates the arguments.</summary>
    public MqttApplicationMessageReceivedEventArgs(MqttApplicationMessage message) => ApplicationMessage = message;

    /// <summary>The message.</summary>
    public MqttApplicationMessage ApplicationMessage { get; }
}
