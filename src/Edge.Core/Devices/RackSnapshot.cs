namespace Edge.Core.Devices;

/// <summary>
/// The frozen process image of one control period (docs/DESIGN.md §3, sample phase): every sensor's and inverter's reading,
/// taken once at the start of the period, plus the aggregates the controller uses. Preallocated: a period fills it
/// in place and hands a copy on through <see cref="CopyTo"/>, so the hot path never allocates.
/// </summary>
public sealed class RackSnapshot
{
    /// <summary>Creates a snapshot with room for the given number of sensors and inverters.</summary>
    public RackSnapshot(int sensorCount, int inverterCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sensorCount);
        ArgumentOutOfRangeException.ThrowIfNegative(inverterCount);
        Sensors = new PowerReading[sensorCount];
        Inverters = new InverterState[inverterCount];
    }

    /// <summary>Period counter (monotonic, starts at 0).</summary>
    public long Sequence { get; set; }

    /// <summary>Loop time at the start of the sample phase, ns.</summary>
    public long TimestampNs { get; set; }

    /// <summary>One reading per configured rack sensor, in configuration order.</summary>
    public PowerReading[] Sensors { get; }

    /// <summary>One state per configured inverter, in configuration order.</summary>
    public InverterState[] Inverters { get; }

    /// <summary>Aggregated cluster load, W (sum of racks, with a degraded estimate for missing sensors).</summary>
    public double LoadW { get; set; }

    /// <summary>True when at least one sensor was replaced by an estimate this period.</summary>
    public bool LoadDegraded { get; set; }

    /// <summary>True when the site meter supplied a usable reading this period.</summary>
    public bool HasGridMeasured { get; set; }

    /// <summary>The site meter's grid power, W (valid when <see cref="HasGridMeasured"/>).</summary>
    public double GridMeasuredW { get; set; }

    /// <summary>Aggregated inverter figures (sum of powers and limits, energy-weighted SoC).</summary>
    public InverterAggregate Battery { get; set; }

    /// <summary>Copies every field into <paramref name="destination"/> (same sizes required). Allocation-free.</summary>
    public void CopyTo(RackSnapshot destination)
    {
        if (destination.Sensors.Length != Sensors.Length || destination.Inverters.Length != Inverters.Length)
        {
            throw new ArgumentException("Snapshot sizes differ.", nameof(destination));
        }

        destination.Sequence = Sequence;
        destination.TimestampNs = TimestampNs;
        Sensors.AsSpan().CopyTo(destination.Sensors);
        Inverters.AsSpan().CopyTo(destination.Inverters);
        destination.LoadW = LoadW;
        destination.LoadDegraded = LoadDegraded;
        destination.HasGridMeasured = HasGridMeasured;
        destination.GridMeasuredW = GridMeasuredW;
        destination.Battery = Battery;
    }
}
