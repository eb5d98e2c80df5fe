using Edge.Core.Control;
using Edge.Core.Devices;

namespace Edge.Devices.Aggregation;

/// <summary>
/// Rack and cluster power from the sensors of a <see cref="RackTopology"/>, with a degraded estimate for sensors whose
/// reading is not usable (any health but Ok, or a non-finite value).
/// <para>
/// The estimate for a missing sensor i with weight wᵢ:
/// <c>share(t) = (sum of its usable peers' power) × wᵢ / (sum of their weights)</c>, where the peers are the usable
/// sensors of the same rack if there are any, else every usable sensor of the cluster; and
/// <c>estimate(t) = share(t) + offsetᵢ · exp(−(t − t₀) / τ)</c>, with t₀ the period the sensor dropped out,
/// τ = <see cref="LoadAggregatorOptions.DecayTimeConstantS"/>, and offsetᵢ the sensor's difference from its peers'
/// share, low-passed (<see cref="LoadAggregatorOptions.OffsetSmoothingS"/>) while it was healthy. So at the drop-out the
/// estimate is (about) the sensor's last good value — no step; it then decays to the sensor's share of its peers; and
/// because the offset rides on the live share, a swing that all racks make together (AI training steps the whole
/// cluster at once) is followed instead of frozen out — freezing the last value would show the controller a phantom
/// load. Learning the offset over time rather than from the last sample keeps a drop-out that coincides with a swing
/// (the last sample taken before it, the peers' after) from baking the swing into the offset. A sensor that was never
/// good uses the share directly. Without any usable peer the last good value is held. A sensor caught lying
/// (StuckAt, OutOfRange, NotANumber) forfeits its learnt offset: it is estimated at its plain share, since its values
/// before detection were probably already wrong (a frozen ADC is plausible until stuckSamples have passed).
/// </para>
/// <para>
/// Flags: any estimate → <see cref="InputHealth.LoadDegraded"/>; estimated weight above
/// <see cref="LoadAggregatorOptions.MaxEstimatedFraction"/>, or no usable sensor at all → <see cref="InputHealth.LoadMissing"/>.
/// Allocation-free per period.
/// </para>
/// </summary>
public sealed class LoadAggregator
{
    private readonly RackTopology _topology;
    private readonly LoadAggregatorOptions _options;
    private readonly double[] _sensorW;
    private readonly bool[] _estimated;
    private readonly double[] _lastGoodW;
    private readonly bool[] _haveLastGood;
    private readonly bool[] _dropped;
    private readonly long[] _dropNs;
    private readonly double[] _offsetW;
    private readonly bool[] _haveOffset;
    private readonly double[] _rackW;
    private readonly double[] _rackUsableW;
    private readonly double[] _rackUsableWeight;
    private double _lastLoadW;
    private long _lastNs;
    private bool _started;

    /// <summary>Creates the aggregator.</summary>
    public LoadAggregator(RackTopology topology, LoadAggregatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(topology);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _topology = topology;
        _options = options;
        int n = topology.SensorCount;
        _sensorW = new double[n];
        _estimated = new bool[n];
        _lastGoodW = new double[n];
        _haveLastGood = new bool[n];
        _dropped = new bool[n];
        _dropNs = new long[n];
        _offsetW = new double[n];
        _haveOffset = new bool[n];
        _rackW = new double[topology.RackCount];
        _rackUsableW = new double[topology.RackCount];
        _rackUsableWeight = new double[topology.RackCount];
    }

    /// <summary>The topology.</summary>
    public RackTopology Topology => _topology;

    /// <summary>Per-rack power of the last period, W (rack order of <see cref="RackTopology.RackIds"/>).</summary>
    public ReadOnlySpan<double> RackPowerW => _rackW;

    /// <summary>Per-sensor power used last period (measured or estimated), W.</summary>
    public ReadOnlySpan<double> SensorPowerW => _sensorW;

    /// <summary>True when sensor <paramref name="sensor"/> was estimated last period.</summary>
    public bool IsEstimated(int sensor) => _estimated[sensor];

    /// <summary>
    /// Aggregates one period's readings (sensor order of the topology) at loop time <paramref name="nowNs"/>.
    /// </summary>
    public LoadEstimate Aggregate(ReadOnlySpan<PowerReading> readings, long nowNs)
    {
        int n = _topology.SensorCount;
        if (readings.Length != n)
        {
            throw new ArgumentException($"Expected {n} readings, got {readings.Length}.", nameof(readings));
        }

        Array.Clear(_rackW);
        Array.Clear(_rackUsableW);
        Array.Clear(_rackUsableWeight);
        double clusterUsableW = 0, clusterUsableWeight = 0, totalWeight = 0;
        for (int i = 0; i < n; i++)
        {
            double weight = _topology.WeightOf(i);
            totalWeight += weight;
            if (!readings[i].IsUsable)
            {
                continue;
            }

            double w = readings[i].PowerW;
            int rack = _topology.RackOf(i);
            _rackUsableW[rack] += w;
            _rackUsableWeight[rack] += weight;
            clusterUsableW += w;
            clusterUsableWeight += weight;
        }

        double dtS = _started ? Math.Clamp((nowNs - _lastNs) * 1e-9, 0, 1) : 0;
        double alpha = 1 - Math.Exp(-dtS / _options.OffsetSmoothingS);
        _started = true;
        _lastNs = nowNs;
        int estimatedCount = 0;
        double estimatedWeight = 0;
        double loadW = 0;
        for (int i = 0; i < n; i++)
        {
            int rack = _topology.RackOf(i);
            double sensorW;
            if (readings[i].IsUsable)
            {
                sensorW = readings[i].PowerW;
                _lastGoodW[i] = sensorW;
                _haveLastGood[i] = true;
                _dropped[i] = false;
                _estimated[i] = false;
                LearnOffset(i, rack, sensorW, clusterUsableW, clusterUsableWeight, alpha);
            }
            else
            {
                sensorW = Estimate(i, rack, clusterUsableW, clusterUsableWeight, nowNs, readings[i].Health);
                _estimated[i] = true;
                estimatedCount++;
                estimatedWeight += _topology.WeightOf(i);
            }

            _sensorW[i] = sensorW;
            _rackW[rack] += sensorW;
            loadW += sensorW;
        }

        InputHealth flags = InputHealth.None;
        double fraction = totalWeight > 0 ? estimatedWeight / totalWeight : 1;
        if (estimatedCount > 0)
        {
            flags |= InputHealth.LoadDegraded;
        }

        if (clusterUsableWeight <= 0 || fraction > _options.MaxEstimatedFraction || !double.IsFinite(loadW))
        {
            flags |= InputHealth.LoadMissing;
            loadW = _lastLoadW;
        }
        else
        {
            _lastLoadW = loadW;
        }

        return new LoadEstimate(loadW, flags, estimatedCount, fraction);
    }

    /// <summary>
    /// Aggregates <paramref name="snapshot"/>'s sensor readings, sets its <see cref="RackSnapshot.LoadW"/> and
    /// <see cref="RackSnapshot.LoadDegraded"/>, and returns the flags for <see cref="TickInput.Health"/>.
    /// </summary>
    public InputHealth Apply(RackSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        LoadEstimate estimate = Aggregate(snapshot.Sensors, snapshot.TimestampNs);
        snapshot.LoadW = estimate.LoadW;
        snapshot.LoadDegraded = (estimate.Flags & (InputHealth.LoadDegraded | InputHealth.LoadMissing)) != 0;
        return estimate.Flags;
    }

    private double Estimate(int i, int rack, double clusterUsableW, double clusterUsableWeight, long nowNs, SensorHealth health)
    {
        double peersW, peersWeight;
        if (_rackUsableWeight[rack] > 0)
        {
            peersW = _rackUsableW[rack];
            peersWeight = _rackUsableWeight[rack];
        }
        else
        {
            peersW = clusterUsableW;
            peersWeight = clusterUsableWeight;
        }

        if (peersWeight <= 0)
        {
            return _haveLastGood[i] ? _lastGoodW[i] : 0; // nobody to compare with: hold (the load is flagged missing)
        }

        double shareW = peersW * _topology.WeightOf(i) / peersWeight;
        if (!_haveLastGood[i])
        {
            return shareW;
        }

        if (!_dropped[i])
        {
            _dropped[i] = true;
            _dropNs[i] = nowNs;
            if (health is SensorHealth.StuckAt or SensorHealth.OutOfRange or SensorHealth.NotANumber)
            {
                // It failed by reporting wrong values, so what it "taught" before being caught is suspect too.
                _offsetW[i] = 0;
                _haveOffset[i] = true;
            }
            else if (!_haveOffset[i])
            {
                _offsetW[i] = _lastGoodW[i] - shareW;
                _haveOffset[i] = true;
            }
        }

        double ageS = Math.Max(0, (nowNs - _dropNs[i]) * 1e-9);
        return shareW + (_offsetW[i] * Math.Exp(-ageS / _options.DecayTimeConstantS));
    }

    // While sensor i is healthy: low-pass its difference from the share its usable peers (excluding itself) imply.
    private void LearnOffset(int i, int rack, double sensorW, double clusterUsableW, double clusterUsableWeight, double alpha)
    {
        double weight = _topology.WeightOf(i);
        double peersW = _rackUsableW[rack] - sensorW;
        double peersWeight = _rackUsableWeight[rack] - weight;
        if (peersWeight <= 1e-12)
        {
            peersW = clusterUsableW - sensorW;
            peersWeight = clusterUsableWeight - weight;
        }

        if (peersWeight <= 1e-12)
        {
            return;
        }

        double offset = sensorW - (peersW * weight / peersWeight);
        if (!_haveOffset[i])
        {
            _offsetW[i] = offset;
            _haveOffset[i] = true;
        }
        else
        {
            _offsetW[i] += alpha * (offset - _offsetW[i]);
        }
    }
}
