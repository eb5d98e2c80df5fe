using Edge.Runtime.Statistics;

namespace Edge.Runtime.Notify;

/// <summary>
/// Sends WATCHDOG=1 every <see cref="Interval"/> — but only when <see cref="WatchdogGate"/> says the loop is meeting
/// its deadlines. When the verdict changes it also sends a STATUS= line saying why. Runs on its own background thread
/// (<see cref="Start"/>), or is driven by hand through <see cref="Tick"/> (tests, or a host with its own timer).
/// </summary>
public sealed class WatchdogPinger : IDisposable
{
    private readonly SystemdNotifier _notifier;
    private readonly Func<LoopCounters> _counters;
    private readonly WatchdogGate _gate;
    private readonly ManualResetEventSlim _stop = new();
    private Thread? _thread;
    private bool? _lastVerdict;

    /// <summary>Creates the pinger.</summary>
    /// <param name="notifier">Where to send.</param>
    /// <param name="counters">Reads the loop's counters (e.g. <c>executive.Statistics.ReadCounters</c>).</param>
    /// <param name="interval">Time between pings: half of <c>WATCHDOG_USEC</c>.</param>
    /// <param name="gate">Health rule (default: <see cref="WatchdogGate"/> with 1 % tolerated overruns).</param>
    public WatchdogPinger(SystemdNotifier notifier, Func<LoopCounters> counters, TimeSpan interval, WatchdogGate? gate = null)
    {
        ArgumentNullException.ThrowIfNull(notifier);
        ArgumentNullException.ThrowIfNull(counters);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        _notifier = notifier;
        _counters = counters;
        Interval = interval;
        _gate = gate ?? new WatchdogGate();
    }

    /// <summary>Time between evaluations.</summary>
    public TimeSpan Interval { get; }

    /// <summary>Pings sent.</summary>
    public long Pings { get; private set; }

    /// <summary>Evaluations that withheld the ping.</summary>
    public long Withheld { get; private set; }

    /// <summary>Why the last ping was sent or withheld.</summary>
    public string Reason => _gate.Reason;

    /// <summary>Evaluates once; sends WATCHDOG=1 when healthy. Returns true when a ping was sent.</summary>
    public bool Tick()
    {
        bool healthy = _gate.ShouldPing(_counters());
        if (healthy != _lastVerdict)
        {
            _notifier.Status(healthy ? $"loop {_gate.Reason}" : $"watchdog withheld: {_gate.Reason}");
            _lastVerdict = healthy;
        }

        if (!healthy)
        {
            Withheld++;
            return false;
        }

        bool sent = _notifier.Watchdog();
        if (sent)
        {
            Pings++;
        }

        return sent;
    }

    /// <summary>Starts the background thread (first evaluation after one interval).</summary>
    public void Start()
    {
        if (_thread is not null)
        {
            return;
        }

        _thread = new Thread(() =>
        {
            while (!_stop.Wait(Interval))
            {
                Tick();
            }
        })
        {
            Name = "edge-watchdog",
            IsBackground = true,
        };
        _thread.Start();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _stop.Set();
        _thread?.Join();
        _stop.Dispose();
    }
}
