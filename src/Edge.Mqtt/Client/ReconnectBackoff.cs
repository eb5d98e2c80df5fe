namespace Edge.Mqtt.Client;

/// <summary>
/// Exponential backoff with jitter: attempt n waits d = min(max, initial·multiplierⁿ), of which a random fraction
/// (<see cref="MqttReconnectOptions.Jitter"/>) is taken off — so the wait lies in [d·(1 − jitter), d]. Reset after a
/// connection is accepted. Deterministic for a given random source.
/// </summary>
public sealed class ReconnectBackoff
{
    private readonly MqttReconnectOptions _options;
    private readonly Random _random;
    private int _failures;

    /// <summary>Creates the schedule; <paramref name="random"/> is injectable for tests.</summary>
    public ReconnectBackoff(MqttReconnectOptions options, Random? random = null)
    {
        _options = options;
        _random = random ?? Random.Shared;
    }

    /// <summary>Failed attempts since the last reset.</summary>
    public int Failures => _failures;

    /// <summary>The delay before the next attempt (and counts the failure).</summary>
    public TimeSpan NextDelay()
    {
        double initialMs = Math.Max(1, _options.InitialDelay.TotalMilliseconds);
        double maxMs = Math.Max(initialMs, _options.MaxDelay.TotalMilliseconds);
        double exponent = Math.Min(_failures, 62);
        double delayMs = Math.Min(maxMs, initialMs * Math.Pow(Math.Max(1, _options.Multiplier), exponent));
        double jitter = Math.Clamp(_options.Jitter, 0, 1);
        delayMs *= 1 - (jitter * _random.NextDouble());
        _failures++;
        return TimeSpan.FromMilliseconds(delayMs);
    }

    /// <summary>Back to the initial delay.</summary>
    public void Reset() => _failures = 0;
}
