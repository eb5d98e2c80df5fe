namespace Edge.Mqtt.Commands;

/// <summary>
/// Whether the wall clock can be trusted. Commands carry wall-clock expiries and their ids are remembered until then:
/// on a box without a real-time clock (a Raspberry Pi) the wall clock is wrong until NTP has synchronised it, so every
/// command would be expired, or a stale one accepted. The control loop never reads the wall clock.
/// </summary>
public interface IWallClockStatus
{
    /// <summary>Null when the wall clock is synchronised, else why it is not (one sentence, for a command reply).</summary>
    string? Unsynchronised();
}
