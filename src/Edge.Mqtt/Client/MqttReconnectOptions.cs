namespace Edge.Mqtt.Client;

/// <summary>How the client reconnects after losing the broker (configuration section <c>Mqtt:Reconnect</c>).</summary>
public sealed class MqttReconnectOptions
{
    /// <summary>Reconnect automatically.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>First delay after a failure.</summary>
    public TimeSpan InitialDelay { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Largest delay.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Factor applied to the delay after each failed attempt.</summary>
    public double Multiplier { get; set; } = 2;

    /// <summary>Fraction of each delay that is random (0 = none, 1 = anywhere in [0, delay]); spreads a fleet's reconnects.</summary>
    public double Jitter { get; set; } = 0.5;
}
