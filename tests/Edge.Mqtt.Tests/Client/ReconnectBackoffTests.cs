using Edge.Mqtt.Client;

namespace Edge.Mqtt.Tests.Client;

public class ReconnectBackoffTests
{
    [Fact]
    public void Delays_grow_exponentially_within_the_jitter_band_and_cap()
    {
        var options = new MqttReconnectOptions { InitialDelay = TimeSpan.FromMilliseconds(100), MaxDelay = TimeSpan.FromSeconds(2), Multiplier = 2, Jitter = 0.5 };
        var b = new ReconnectBackoff(options, new Random(1));
        double[] nominal = [100, 200, 400, 800, 1600, 2000, 2000, 2000];
        foreach (double d in nominal)
        {
            double ms = b.NextDelay().TotalMilliseconds;
            Assert.InRange(ms, d * 0.5, d);
        }

        b.Reset();
        Assert.InRange(b.NextDelay().TotalMilliseconds, 50, 100);
    }

    [Fact]
    public void Jitter_spreads_delays_and_zero_jitter_is_exact()
    {
        var options = new MqttReconnectOptions { InitialDelay = TimeSpan.FromSeconds(1), Jitter = 0.5 };
        var spread = Enumerable.Range(0, 50).Select(i => new ReconnectBackoff(options, new Random(i)).NextDelay().TotalMilliseconds).ToList();
        Assert.True(spread.Max() - spread.Min() > 200, "jittered delays should differ between clients");

        var exact = new ReconnectBackoff(new MqttReconnectOptions { InitialDelay = TimeSpan.FromSeconds(1), Jitter = 0 }, new Random(3));
        Assert.Equal(1000, exact.NextDelay().TotalMilliseconds, 6);
        Assert.Equal(2000, exact.NextDelay().TotalMilliseconds, 6);
    }

    [Fact]
    public void Many_failures_do_not_overflow()
    {
        var b = new ReconnectBackoff(new MqttReconnectOptions { MaxDelay = TimeSpan.FromSeconds(30) }, new Random(0));
        for (int i = 0; i < 10_000; i++)
        {
            Assert.InRange(b.NextDelay().TotalSeconds, 0, 30);
        }
    }
}
