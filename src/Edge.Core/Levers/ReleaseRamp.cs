namespace Edge.Core.Levers;

/// <summary>
/// One agent's lever (a GPU node's cap, a flexible load's level) as a time function: a command holds a value until
/// its expiry; then — or on an explicit release — the lever goes back to its free value <b>along a ramp</b>, after a
/// per-agent random delay in [0, jitter]. A fleet whose commands expire at one instant therefore releases spread in
/// time and at a bounded rate: the step the batteries exist to prevent is never made by the levers themselves.
/// <para>Hard limits (<c>minW</c>, <c>maxW</c>, the release rate) are local configuration: a command outside them is
/// refused, and a command may slow the release, never speed it up. Values are in W (a level lever is scaled by its
/// rated power). Deterministic: the jitter comes from a seed (the agent identity's hash), time from the caller.
/// <see cref="Update"/> is allocation-free.</para>
/// </summary>
public sealed class ReleaseRamp
{
    private readonly double _minW, _maxW, _freeW, _releaseWPerS, _jitterS;
    private readonly double? _fixedDelayS;
    private ulong _rng;
    private double _valueW, _rampWPerS;
    private long _expiresNs, _releaseStartNs, _lastNs;

    /// <summary>Creates the lever at its free value.</summary>
    /// <param name="minW">Lowest value a command may set (hard limit), W.</param>
    /// <param name="maxW">Highest value a command may set (hard limit), W.</param>
    /// <param name="freeW">The value with no command in force (within [min, max]).</param>
    /// <param name="releaseWPerS">Fastest release rate, W/s (&gt; 0).</param>
    /// <param name="jitterS">Release start delay bound, s (≥ 0).</param>
    /// <param name="seed">Jitter seed, e.g. <see cref="SeedOf"/> of the agent's identity.</param>
    /// <param name="fixedDelayS">
    /// A configured release delay instead of the random one (a release slot): a fleet of levers with coarse steps
    /// (flexible loads in 5 % levels) interleaves its steps evenly only with distinct slots — random delays bunch.
    /// </param>
    public ReleaseRamp(double minW, double maxW, double freeW, double releaseWPerS, double jitterS, ulong seed, double? fixedDelayS = null)
    {
        if (fixedDelayS is { } d && !(d >= 0 && double.IsFinite(d)))
        {
            throw new ArgumentOutOfRangeException(nameof(fixedDelayS), "A fixed release delay must be finite and ≥ 0.");
        }

        _fixedDelayS = fixedDelayS;
        if (!double.IsFinite(minW) || !double.IsFinite(maxW) || minW > maxW || !(freeW >= minW && freeW <= maxW))
        {
            throw new ArgumentOutOfRangeException(nameof(freeW), "Need finite min ≤ free ≤ max.");
        }

        if (!(releaseWPerS > 0) || !double.IsFinite(releaseWPerS) || !(jitterS >= 0) || !double.IsFinite(jitterS))
        {
            throw new ArgumentOutOfRangeException(nameof(releaseWPerS), "The release rate must be positive and the jitter ≥ 0, both finite.");
        }

        _minW = minW;
        _maxW = maxW;
        _freeW = freeW;
        _releaseWPerS = releaseWPerS;
        _jitterS = jitterS;
        _rng = seed | 1;
        _valueW = freeW;
        _rampWPerS = releaseWPerS;
    }

    /// <summary>The lever's value now (after the last <see cref="Update"/>), W.</summary>
    public double ValueW => _valueW;

    /// <summary>The value with no command in force, W.</summary>
    public double FreeW => _freeW;

    /// <summary>Lowest commandable value, W.</summary>
    public double MinW => _minW;

    /// <summary>Highest commandable value, W.</summary>
    public double MaxW => _maxW;

    /// <summary>What the lever is doing.</summary>
    public LeverPhase Phase { get; private set; }

    /// <summary>Number of commands that expired (rather than being replaced or released).</summary>
    public long Expiries { get; private set; }

    /// <summary>
    /// Applies a command: <paramref name="valueW"/> from now until <paramref name="expiresNs"/>. Refused (false, with the
    /// reason) when the value is outside the hard limits, the expiry is not in the future, or the release rate is not
    /// positive; nothing changes then.
    /// </summary>
    public bool TryCommand(double valueW, long nowNs, long expiresNs, double? releaseWPerS, out string? error)
    {
        if (!double.IsFinite(valueW) || valueW < _minW || valueW > _maxW)
        {
            error = FormattableString.Invariant($"{valueW} W is outside the local limits [{_minW}, {_maxW}] W");
            return false;
        }

        if (expiresNs <= nowNs)
        {
            error = "the command has expired";
            return false;
        }

        if (releaseWPerS is { } r && !(r > 0 && double.IsFinite(r)))
        {
            error = "release_w_per_s must be positive";
            return false;
        }

        error = null;
        _valueW = valueW;
        _expiresNs = expiresNs;
        _rampWPerS = Math.Min(_releaseWPerS, releaseWPerS ?? _releaseWPerS);
        _lastNs = nowNs;
        Phase = LeverPhase.Commanded;
        return true;
    }

    /// <summary>Releases the command now (along the ramp, after the jitter delay).</summary>
    public void Release(long nowNs)
    {
        if (Phase == LeverPhase.Commanded)
        {
            StartRelease(nowNs);
        }
    }

    /// <summary>
    /// Takes over a lever found at <paramref name="valueW"/> (e.g. a cap a killed agent left in the hardware) and
    /// releases it from there along the ramp, after the jitter delay — never one step back to the free value.
    /// </summary>
    public void ReleaseFrom(double valueW, long nowNs)
    {
        if (!double.IsFinite(valueW))
        {
            return;
        }

        _valueW = Math.Clamp(valueW, _minW, _maxW);
        _rampWPerS = _releaseWPerS;
        _lastNs = nowNs;
        if (_valueW != _freeW)
        {
            StartRelease(nowNs);
        }
    }

    /// <summary>Advances the lever to <paramref name="nowNs"/> and returns its value, W. Allocation-free.</summary>
    public double Update(long nowNs)
    {
        if (Phase == LeverPhase.Commanded && nowNs >= _expiresNs)
        {
            Expiries++;
            StartRelease(_expiresNs);
        }

        if (Phase == LeverPhase.Releasing && nowNs > _releaseStartNs)
        {
            long fromNs = Math.Max(_lastNs, _releaseStartNs);
            double stepW = _rampWPerS * (nowNs - fromNs) * 1e-9;
            double gap = _freeW - _valueW;
            if (Math.Abs(gap) <= stepW)
            {
                _valueW = _freeW;
                Phase = LeverPhase.Free;
            }
            else
            {
                _valueW += Math.CopySign(stepW, gap);
            }
        }

        _lastNs = Math.Max(_lastNs, nowNs);
        return _valueW;
    }

    /// <summary>
    /// The release delay of slot <paramref name="slot"/> of <paramref name="slots"/> for levers with steps of
    /// <paramref name="stepW"/> released at <paramref name="releaseWPerS"/>: the slots' steps interleave evenly.
    /// </summary>
    public static double SlotDelayS(int slot, int slots, double stepW, double releaseWPerS) =>
        slots <= 0 || slot < 0 || slot >= slots ? throw new ArgumentOutOfRangeException(nameof(slot), "Need 0 ≤ slot < slots.") : slot * stepW / releaseWPerS / slots;

    /// <summary>A jitter seed from an identity (FNV-1a), so each agent draws its own delay, the same on every run.</summary>
    public static ulong SeedOf(string identity)
    {
        ulong h = 14695981039346656037UL;
        foreach (char c in identity)
        {
            h = (h ^ c) * 1099511628211UL;
        }

        return h;
    }

    private void StartRelease(long atNs)
    {
        Phase = LeverPhase.Releasing;
        _releaseStartNs = atNs + (long)((_fixedDelayS ?? (NextUnit() * _jitterS)) * 1e9);
        _lastNs = atNs;
    }

    private double NextUnit()
    {
        // SplitMix64: one draw per release.
        ulong z = _rng += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (z >> 11) * (1.0 / (1UL << 53));
    }
}
