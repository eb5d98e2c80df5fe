using Edge.Core;

namespace Edge.Runtime.Scheduling;

/// <summary>
/// Options of the cyclic executive (configuration section <c>Loop</c>). Phase budgets are fractions of the period;
/// their sum must leave room for wake-up lateness.
/// </summary>
public sealed class LoopOptions
{
    /// <summary>Loop period, ms.</summary>
    public double PeriodMs { get; set; } = 10;

    /// <summary>Budget of the sample phase, fraction of the period.</summary>
    public double SampleBudget { get; set; } = 0.2;

    /// <summary>Budget of the decide phase, fraction of the period.</summary>
    public double DecideBudget { get; set; } = 0.2;

    /// <summary>Budget of the allocate phase, fraction of the period.</summary>
    public double AllocateBudget { get; set; } = 0.1;

    /// <summary>Budget of the actuate phase, fraction of the period.</summary>
    public double ActuateBudget { get; set; } = 0.15;

    /// <summary>Budget of the hand-off phase, fraction of the period.</summary>
    public double HandOffBudget { get; set; } = 0.1;

    /// <summary>
    /// Number of consecutive cycles that end after their deadline before the deadline fault is raised. One long stall
    /// (the VM pausing for milliseconds) is one miss plus skipped slots, not a fault; a loop that cannot keep up is.
    /// </summary>
    public int FaultAfterConsecutiveMisses { get; set; } = 5;

    /// <summary>Number of consecutive cycles meeting their deadline after which a raised fault clears.</summary>
    public int FaultClearAfterCycles { get; set; } = 1000;

    /// <summary>The period in ns.</summary>
    public long PeriodNs => (long)Math.Round(PeriodMs * 1e6);

    /// <summary>Budget of <paramref name="phase"/> as a fraction of the period.</summary>
    public double Budget(LoopPhase phase) => phase switch
    {
        LoopPhase.Sample => SampleBudget,
        LoopPhase.Decide => DecideBudget,
        LoopPhase.Allocate => AllocateBudget,
        LoopPhase.Actuate => ActuateBudget,
        _ => HandOffBudget,
    };

    /// <summary>Budget of <paramref name="phase"/>, ns.</summary>
    public long BudgetNs(LoopPhase phase) => (long)Math.Round(PeriodNs * Budget(phase));

    /// <summary>Checks every option; returns the errors (empty when valid).</summary>
    public IReadOnlyList<OptionError> Validate(string section = "Loop")
    {
        var c = new OptionChecks(section);
        c.Range(nameof(PeriodMs), PeriodMs, 0.05, 1000, "ms");
        c.Above(nameof(SampleBudget), SampleBudget, 0, 1, "(fraction of the period)");
        c.Above(nameof(DecideBudget), DecideBudget, 0, 1, "(fraction of the period)");
        c.Above(nameof(AllocateBudget), AllocateBudget, 0, 1, "(fraction of the period)");
        c.Above(nameof(ActuateBudget), ActuateBudget, 0, 1, "(fraction of the period)");
        c.Above(nameof(HandOffBudget), HandOffBudget, 0, 1, "(fraction of the period)");
        double sum = SampleBudget + DecideBudget + AllocateBudget + ActuateBudget + HandOffBudget;
        if (double.IsFinite(sum) && sum > 1)
        {
            c.Fail(nameof(HandOffBudget), OptionError.Format(HandOffBudget),
                $"phase budgets add up to {OptionError.Format(sum)} of the period; they must add up to at most 1");
        }

        c.Range(nameof(FaultAfterConsecutiveMisses), FaultAfterConsecutiveMisses, 1, 1_000_000, "cycles");
        c.Range(nameof(FaultClearAfterCycles), FaultClearAfterCycles, 1, 100_000_000, "cycles");
        return c.Errors;
    }

    /// <summary>Returns a copy.</summary>
    public LoopOptions Clone() => (LoopOptions)MemberwiseClone();
}
