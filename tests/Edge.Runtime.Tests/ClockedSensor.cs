using Edge.Core.Devices;
using Edge.Runtime.Timing;
using Edge.Core.Timing;

namespace Edge.Runtime.Tests;

/// <summary>A rack sensor reading a square wave off the loop clock (a tiny stand-in load profile), or a fixed health.</summary>
internal sealed class ClockedSensor(IMonotonicClock clock, double lowW, double highW, long halfPeriodNs, string id = "rack") : IPowerSensor
{
    private uint _sequence;

    public string Id => id;

    public SensorHealth Health { get; set; } = SensorHealth.Ok;

    public bool Answers { get; set; } = true;

    public bool TryRead(out PowerReading reading)
    {
        long now = clock.NowNs;
        double powerW = (now / halfPeriodNs) % 2 == 0 ? lowW : highW;
        reading = new PowerReading(now, Health == SensorHealth.Ok ? powerW : double.NaN, 800, powerW / 800, ++_sequence, Health);
        return Answers;
    }
}
