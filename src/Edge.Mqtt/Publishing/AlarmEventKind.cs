namespace Edge.Mqtt.Publishing;

/// <summary>What happened to an alarm.</summary>
public enum AlarmEventKind : byte
{
    /// <summary>The condition appeared.</summary>
    Raise,
    /// <summary>The condition has been absent for the clear delay.</summary>
    Clear,
    /// <summary>An operator acknowledged it (<c>cmd/ack</c>).</summary>
    Ack,
}
