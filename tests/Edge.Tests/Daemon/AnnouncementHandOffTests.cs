using Edge.Core.Forecast;
using Edge.Daemon;

namespace Edge.Tests.Daemon;

/// <summary>
/// The one hand-off of phase announcements from the agent-registry thread to a consumer (the lever coordinator, the
/// planner): each once, a changed one again, and a memory that stays bounded however many a long-lived node sees.
/// </summary>
public sealed class AnnouncementHandOffTests
{
    private static AnnouncedPhase Start(string id, long receivedNs) => new(id, PhaseKind.JobStart, receivedNs, receivedNs + 60_000_000_000, 4_000, 0, 0);

    private static List<AnnouncedPhase> Drain(AnnouncementHandOff h)
    {
        var taken = new List<AnnouncedPhase>();
        while (h.TryTake(out AnnouncedPhase p))
        {
            taken.Add(p);
        }

        return taken;
    }

    [Fact]
    public void Each_announcement_is_handed_over_once_and_a_changed_one_again()
    {
        var h = new AnnouncementHandOff();
        AnnouncedPhase a = Start("job-a:start", 1), b = Start("job-b:start", 2);
        h.Offer([a]);
        h.Offer([a, b]); // the registry offers all it holds on every sweep
        Assert.Equal([a, b], Drain(h));

        h.Offer([a, b]);
        Assert.Empty(Drain(h));

        AnnouncedPhase aAgain = Start("job-a:start", 5); // re-announced: a new reception
        h.Offer([aAgain, b]);
        Assert.Equal([aAgain], Drain(h));
    }

    [Fact]
    public void Its_memory_is_bounded_and_forgetting_only_repeats_a_hand_over()
    {
        var h = new AnnouncementHandOff();
        var batch = new List<AnnouncedPhase>(100);
        int handed = 0;
        for (int i = 0; i < 3 * AnnouncementHandOff.MaxRemembered; i++)
        {
            batch.Add(Start("job:" + i, i));
            if (batch.Count == batch.Capacity)
            {
                h.Offer(batch);
                handed += Drain(h).Count;
                batch.Clear();
            }
        }

        Assert.Equal(3 * AnnouncementHandOff.MaxRemembered / 100 * 100, handed);
        Assert.InRange(h.Remembered, 1, AnnouncementHandOff.MaxRemembered + 100);
    }
}
