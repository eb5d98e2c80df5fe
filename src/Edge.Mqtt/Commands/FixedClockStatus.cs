namespace Edge.Mqtt.Commands;

/// <summary>A wall-clock status that does not change: synchronised (null reason) or not (the reason).</summary>
/// <param name="Reason">Null for synchronised.</param>
public sealed record FixedClockStatus(string? Reason) : IWallClockStatus
{
    /// <summary>Always synchronised (sim and hil rigs, where commands do not wait for NTP).</summary>
    public static FixedClockStatus Synchronised { get; } = new((string?)null);

    /// <inheritdoc />
    public string? Unsynchronised() => Reason;
}
