namespace Edge.Mqtt.Publishing;

/// <summary>How bad an alarm is.</summary>
public enum AlarmSeverity : byte
{
    /// <summary>Degraded but controlling.</summary>
    Warning,
    /// <summary>Control is impaired or stopped.</summary>
    Critical,
}
