namespace Edge.Mqtt.Publishing;

/// <summary>Mean, min and max of the finite values added since the last reset.</summary>
public struct RunningStat
{
    private double _sum;

    /// <summary>Number of finite values added.</summary>
    public int Count { get; private set; }

    /// <summary>Smallest value (NaN when empty).</summary>
    public double Min { get; private set; }

    /// <summary>Largest value (NaN when empty).</summary>
    public double Max { get; private set; }

    /// <summary>Mean (NaN when empty).</summary>
    public readonly double Mean => Count == 0 ? double.NaN : _sum / Count;

    /// <summary>Adds a value; NaN and infinities are ignored.</summary>
    public void Add(double value)
    {
        if (!double.IsFinite(value))
        {
            return;
        }

        if (Count == 0)
        {
            Min = value;
            Max = value;
        }
        else
        {
            Min = Math.Min(Min, value);
            Max = Math.Max(Max, value);
        }

        _sum += value;
        Count++;
    }

    /// <summary>Empties the statistic.</summary>
    public void Reset()
    {
        _sum = 0;
        Count = 0;
        Min = double.NaN;
        Max = double.NaN;
    }
}
