namespace Edge.Core.Backstop;

/// <summary>
/// The tiered oscillation backstop: every period it feeds the <see cref="OscillationMonitor"/> and evaluates the
/// policy's rules — a rule enters when its amplitude reaches <c>EnterW</c> and leaves once it is below <c>ExitW</c>
/// after at least <c>MinDwellS</c> active. <see cref="ActiveTier"/> is the highest active action (0 = none);
/// <see cref="IsActive"/> tells each. Time is counted in periods, so the result depends only on the samples
/// (deterministic on virtual time). Allocation-free per period.
/// </summary>
public sealed class TieredBackstop
{
    private readonly BackstopRule[] _rules;
    private readonly bool[] _active;
    private readonly long[] _enteredAt;
    private readonly long[] _dwellPeriods;
    private readonly bool[] _actionActive = new bool[5];
    private long _period;

    /// <summary>Creates the backstop; the policy must be valid (<see cref="BackstopPolicy.Validate"/>).</summary>
    public TieredBackstop(BackstopPolicy policy, double periodS)
    {
        ArgumentNullException.ThrowIfNull(policy);
        IReadOnlyList<OptionError> errors = policy.Validate("Backstop", periodS);
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(Environment.NewLine, errors), nameof(policy));
        }

        Policy = policy;
        Monitor = new OscillationMonitor(policy.Bands, periodS, policy.AveragingS, policy.ResonatorsPerBand);
        _rules = [.. policy.Rules];
        _active = new bool[_rules.Length];
        _enteredAt = new long[_rules.Length];
        _dwellPeriods = new long[_rules.Length];
        for (int i = 0; i < _rules.Length; i++)
        {
            _dwellPeriods[i] = (long)Math.Ceiling(_rules[i].MinDwellS / periodS);
        }
    }

    /// <summary>The policy.</summary>
    public BackstopPolicy Policy { get; }

    /// <summary>The band amplitudes and dominant frequencies.</summary>
    public OscillationMonitor Monitor { get; }

    /// <summary>Highest active tier (1–4), 0 when none.</summary>
    public int ActiveTier { get; private set; }

    /// <summary>Number of tier changes so far.</summary>
    public long Transitions { get; private set; }

    /// <summary>True while some rule of <paramref name="action"/> is active.</summary>
    public bool IsActive(BackstopAction action) => _actionActive[(int)action];

    /// <summary>Adds one period's load and grid power and re-evaluates the rules. Allocation-free.</summary>
    public int Step(double loadW, double gridW)
    {
        _period++;
        Monitor.Add(loadW, gridW);
        Array.Clear(_actionActive);
        int tier = 0;
        for (int i = 0; i < _rules.Length; i++)
        {
            BackstopRule r = _rules[i];
            double a = Monitor.Value(r.Signal, r.Band, r.Measure);
            if (!_active[i])
            {
                if (a >= r.EnterW)
                {
                    _active[i] = true;
                    _enteredAt[i] = _period;
                }
            }
            else if (a < r.ExitW && _period - _enteredAt[i] >= _dwellPeriods[i])
            {
                _active[i] = false;
            }

            if (_active[i])
            {
                _actionActive[(int)r.Action] = true;
                tier = Math.Max(tier, (int)r.Action);
            }
        }

        if (tier != ActiveTier)
        {
            Transitions++;
            ActiveTier = tier;
        }

        return tier;
    }
}
