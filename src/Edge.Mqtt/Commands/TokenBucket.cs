namespace Edge.Mqtt.Commands;

/// <summary>A token bucket: <c>burst</c> tokens, refilled at <c>ratePerS</c>; each command takes one. Thread-safe.</summary>
public sealed class TokenBucket
{
    private readonly double _ratePerS;
    private readonly double _burst;
    private readonly TimeProvider _time;
    private readonly object _gate = new();
    private double _tokens;
    private long _lastTs;

    /// <summary>Creates a full bucket.</summary>
    public TokenBucket(double ratePerS, double burst, TimeProvider time)
    {
        _ratePerS = ratePerS;
        _burst = Math.Max(1, burst);
        _time = time;
        _tokens = _burst;
        _lastTs = time.GetTimestamp();
    }

    /// <summary>
    /// Whether the bucket has refilled to its burst: it then holds nothing a new bucket would not (forgetting it loses
    /// nothing).
    /// </summary>
    public bool IsFull
    {
        get
        {
            lock (_gate)
            {
                double elapsedS = (double)(_time.GetTimestamp() - _lastTs) / _time.TimestampFrequency;
                return _tokens + (_ratePerS * elapsedS) >= _burst;
            }
        }
    }

    /// <summary>Takes a token if one is available.</summary>
    public bool TryTake()
    {
        lock (_gate)
        {
            long now = _time.GetTimestamp();
            _tokens = Math.Min(_burst, _tokens + (_ratePerS * (now - _lastTs) / _time.TimestampFrequency));
            _lastTs = now;
            if (_tokens < 1)
            {
                return false;
            }

            _tokens -= 1;
            return true;
        }
    }
}
