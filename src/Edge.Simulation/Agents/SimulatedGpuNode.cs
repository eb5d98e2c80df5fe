using Edge.Core.Levers;

namespace Edge.Simulation.Agents;

/// <summary>
/// A GPU node as the agent's hardware sees it: it draws what its workload demands (e.g. the training profile), never
/// more than its power cap, and a new cap takes effect only after the response latency (NVML applies a limit within
/// ~100 ms; the power follows the firmware's loop). The cap comes from the agent's <see cref="ReleaseRamp"/> lever, so
/// commands, expiry and ramped release behave as in <c>edge agent</c>. Energy lost under the cap is accounted.
/// Allocation-free per step.
/// </summary>
public sealed class SimulatedGpuNode
{
    private readonly Func<double, double> _demandW;
    private readonly long _latencyNs;
    private readonly long[] _tNs = new long[256];
    private readonly double[] _capW = new double[256];
    private int _head, _count;
    private long _lastNs = -1;
    private double _effectiveCapW, _powerW, _demandNowW;

    /// <summary>Creates the node.</summary>
    /// <param name="lever">The cap lever (its free value is the node's maximum cap), W.</param>
    /// <param name="demandW">What the workload would draw uncapped at time t (s), W.</param>
    /// <param name="responseLatencyS">Time for a new cap to take effect, s.</param>
    public SimulatedGpuNode(ReleaseRamp lever, Func<double, double> demandW, double responseLatencyS)
    {
        ArgumentNullException.ThrowIfNull(lever);
        ArgumentNullException.ThrowIfNull(demandW);
        if (!(responseLatencyS >= 0) || !double.IsFinite(responseLatencyS))
        {
            throw new ArgumentOutOfRangeException(nameof(responseLatencyS), "The response latency must be finite and ≥ 0.");
        }

        Lever = lever;
        _demandW = demandW;
        _latencyNs = (long)(responseLatencyS * 1e9);
        EffectiveCapW = lever.ValueW;
    }

    /// <summary>The cap lever the agent drives.</summary>
    public ReleaseRamp Lever { get; }

    /// <summary>The cap the hardware enforces now, W. Written by <see cref="Step"/>, readable from any thread.</summary>
    public double EffectiveCapW
    {
        get => Volatile.Read(ref _effectiveCapW);
        private set => Volatile.Write(ref _effectiveCapW, value);
    }

    /// <summary>Power drawn at the last step, W. Readable from any thread.</summary>
    public double PowerW
    {
        get => Volatile.Read(ref _powerW);
        private set => Volatile.Write(ref _powerW, value);
    }

    /// <summary>What the workload wanted at the last step (uncapped), W. Readable from any thread.</summary>
    public double DemandW
    {
        get => Volatile.Read(ref _demandNowW);
        private set => Volatile.Write(ref _demandNowW, value);
    }

    /// <summary>What the workload would draw uncapped at <paramref name="timeS"/>, W (pure; any thread).</summary>
    public double DemandAt(double timeS) => _demandW(timeS);

    /// <summary>Time spent with the cap below the demand, s.</summary>
    public double CappedS { get; private set; }

    /// <summary>Energy the workload wanted but did not get, Wh.</summary>
    public double EnergyLostWh { get; private set; }

    /// <summary>Advances to <paramref name="nowNs"/> and returns the power drawn, W.</summary>
    public double Step(long nowNs)
    {
        double cap = Lever.Update(nowNs);
        Record(nowNs, cap);
        long seenNs = nowNs - _latencyNs;
        while (_count > 1 && _tNs[(_head + 1) % _tNs.Length] <= seenNs)
        {
            _head = (_head + 1) % _tNs.Length;
            _count--;
        }

        if (_tNs[_head] <= seenNs)
        {
            EffectiveCapW = _capW[_head];
        }

        double demand = _demandW(nowNs * 1e-9);
        double power = Math.Min(demand, EffectiveCapW);
        if (_lastNs >= 0)
        {
            double dtS = (nowNs - _lastNs) * 1e-9;
            if (power < demand)
            {
                CappedS += dtS;
                EnergyLostWh += (demand - power) * dtS / 3600;
            }
        }

        _lastNs = nowNs;
        DemandW = demand;
        PowerW = power;
        return power;
    }

    private void Record(long nowNs, double capW)
    {
        if (_count > 0 && _capW[(_head + _count - 1) % _capW.Length] == capW)
        {
            return;
        }

        if (_count == _tNs.Length)
        {
            // History full (a latency longer than 256 changes): the oldest entry is applied early.
            _head = (_head + 1) % _tNs.Length;
            _count--;
        }

        int i = (_head + _count) % _tNs.Length;
        _tNs[i] = nowNs;
        _capW[i] = capW;
        _count++;
    }
}
