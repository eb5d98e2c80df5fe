namespace Edge.Devices.Sensors;

/// <summary>
/// The back-off of a device that keeps failing, counted in sampling periods on its sampler thread: after
/// <c>after</c> consecutive failed periods the device is tried only every 2, 4, 8 … periods, up to <c>maxPeriods</c>, so a
/// dead chip does not cost its bus a failed transfer (or a binding's exception) every period. One success resets it.
/// Shared by <see cref="ShuntPowerSensor"/> and <see cref="TemperatureSensor"/>. Allocation-free.
/// </summary>
internal struct FailureBackOff
{
    private int _failedPeriods;
    private long _nextAttemptPeriod;

    /// <summary>True while period <paramref name="period"/> is to be skipped (no transfer).</summary>
    public readonly bool Skip(long period) => period < _nextAttemptPeriod;

    /// <summary>Records the outcome of period <paramref name="period"/>'s attempt (<paramref name="after"/> = 0: never back off).</summary>
    public void Record(bool ok, long period, int after, int maxPeriods)
    {
        if (ok)
        {
            _failedPeriods = 0;
            return;
        }

        _failedPeriods++;
        if (after > 0 && _failedPeriods >= after)
        {
            int doublings = Math.Min(_failedPeriods - after + 1, 30);
            long skip = Math.Min(1L << doublings, maxPeriods);
            _nextAttemptPeriod = period + skip;
        }
    }
}
