using Edge.Core.Forecast;

namespace Edge.Agents.Contract;

/// <summary>
/// <c>…/announce</c>, QoS 1, from a GPU agent or a training framework (its own identity, kind framework):
/// <c>{"id","kind","at"|"in_s","power_w","duration_s"?,"period_s"?}</c>. A forecast input for the coordinator and the
/// planner, never a command: nothing is actuated because of an announcement alone, and a wrong one costs at most the
/// lever budget reserved for it. <c>at</c> is absolute; <c>in_s</c> is relative to receipt (for frameworks without a
/// synchronised clock). Announcements more than 1 h ahead or 60 s in the past are refused.
/// </summary>
public sealed record PhaseAnnouncement : IAgentMessage
{
    /// <summary>Announcement id (a later one with the same id replaces it).</summary>
    public required string Id { get; init; }

    /// <summary>The phase.</summary>
    public required PhaseKind Kind { get; init; }

    /// <summary>When the phase begins (absolute).</summary>
    public DateTimeOffset? At { get; init; }

    /// <summary>When the phase begins, seconds after receipt.</summary>
    public double? InS { get; init; }

    /// <summary>Expected power change (rise or fall, ≥ 0) or, for iteration, the peak-to-peak swing, W.</summary>
    public required double PowerW { get; init; }

    /// <summary>Expected duration (checkpoint), s.</summary>
    public double? DurationS { get; init; }

    /// <summary>Iteration period, s.</summary>
    public double? PeriodS { get; init; }

    /// <inheritdoc />
    public void Validate(MessageCheck check)
    {
        check.Id("$.id", Id);
        if (At.HasValue == InS.HasValue)
        {
            check.Fail("$.at", "give exactly one of at and in_s");
        }

        if (At is { } at)
        {
            check.Time("$.at", at);
        }

        check.Range("$.in_s", InS, 0, 3600);
        check.Range("$.power_w", PowerW, 0, 1e10);
        check.Range("$.duration_s", DurationS, 0, 86_400);
        check.Range("$.period_s", PeriodS, 0.01, 3600);
        if (Kind == PhaseKind.Iteration && PeriodS is null)
        {
            check.Fail("$.period_s", "is required for an iteration announcement");
        }

        if (Kind != PhaseKind.Iteration && PeriodS is not null)
        {
            check.Fail("$.period_s", "belongs to iteration announcements only");
        }
    }
}
