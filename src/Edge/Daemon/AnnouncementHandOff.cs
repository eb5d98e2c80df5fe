using Edge.Core.Forecast;
using Edge.Runtime.Handoff;

namespace Edge.Daemon;

/// <summary>
/// Hands each phase announcement over once, from the agent-registry thread (which offers every announcement it holds
/// on every sweep) to one consumer thread (the loop's lever coordinator, the planner): a bounded ring, and a bounded
/// memory of what was handed over. An announcement is the same when its id and its reception time are; a changed one
/// (same id, received again) is handed over again and replaces the first where it lands. When more than
/// <see cref="MaxRemembered"/> have been seen the memory is forgotten: handing one over twice is harmless (same id:
/// replaced), growing without bound is not. One producer thread and one consumer thread.
/// </summary>
internal sealed class AnnouncementHandOff
{
    /// <summary>Announcements remembered as handed over before the memory is cleared.</summary>
    public const int MaxRemembered = 4096;

    private readonly SpscRing<AnnouncedPhase> _ring = new(256);
    private readonly HashSet<(string Id, long ReceivedNs)> _handedOver = [];

    /// <summary>Producer thread: how many announcements are remembered as handed over.</summary>
    public int Remembered => _handedOver.Count;

    /// <summary>Producer thread: hands over those of <paramref name="announcements"/> not handed over before.</summary>
    public void Offer(IReadOnlyList<AnnouncedPhase> announcements)
    {
        ArgumentNullException.ThrowIfNull(announcements);
        if (_handedOver.Count > MaxRemembered)
        {
            _handedOver.Clear();
        }

        foreach (AnnouncedPhase p in announcements)
        {
            if (_handedOver.Add((p.Id, p.ReceivedNs)))
            {
                _ring.TryWrite(p);
            }
        }
    }

    /// <summary>Consumer thread: the next announcement handed over, if any. Allocation-free.</summary>
    public bool TryTake(out AnnouncedPhase announcement) => _ring.TryRead(out announcement);
}
