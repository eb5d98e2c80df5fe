using Edge.Core.Devices;

namespace Edge.Devices.Sensors;

/// <summary>
/// A single-writer, many-reader latest-value cell for a reading (<see cref="PowerReading"/>, <see cref="TemperatureReading"/>;
/// a sequence lock): the sampler thread publishes, the control loop or the publisher reads, neither blocks nor
/// allocates. A reader that races a write retries.
/// </summary>
internal sealed class ReadingSlot<T>(T initial)
    where T : struct
{
    private int _version;
    private T _value = initial;

    /// <summary>Publishes <paramref name="reading"/>. Single writer only.</summary>
    public void Write(in T reading)
    {
        Interlocked.Increment(ref _version); // odd: write in progress
        _value = reading;
        Interlocked.Increment(ref _version); // even: stable
    }

    /// <summary>Reads the latest published value.</summary>
    public T Read()
    {
        var spinner = default(SpinWait);
        while (true)
        {
            int before = Volatile.Read(ref _version);
            if ((before & 1) == 0)
            {
                T value = _value;
                Interlocked.MemoryBarrier();
                if (Volatile.Read(ref _version) == before)
                {
                    return value;
                }
            }

            spinner.SpinOnce(sleep1Threshold: -1);
        }
    }
}
