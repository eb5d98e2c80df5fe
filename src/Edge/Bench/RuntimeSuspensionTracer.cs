using System.Diagnostics.Tracing;
using Edge.Runtime.Timing;
using Edge.Core.Timing;

namespace Edge.Bench;

/// <summary>
/// Diagnostic for <c>edge bench loop --trace-runtime</c>: listens to the runtime's own events (GC keyword) and records
/// every execution-engine suspension — the moments when every managed thread, the loop included, is held at its
/// next return to managed code — with its reason and length, so that loop overruns can be matched against them.
/// Allocates on the listener's thread only.
/// </summary>
internal sealed class RuntimeSuspensionTracer : EventListener
{
    private const string RuntimeProvider = "Microsoft-Windows-DotNETRuntime";
    private const int SuspendBeginId = 9;
    private const int RestartEndId = 3;
    private readonly object _gate = new();
    private readonly List<Suspension> _suspensions = [];
    private readonly long _monoAtStartNs;
    private readonly DateTime _utcAtStart;
    private DateTime? _begin;
    private string _reason = "";

    public RuntimeSuspensionTracer(IMonotonicClock clock)
    {
        _monoAtStartNs = clock.NowNs;
        _utcAtStart = DateTime.UtcNow;
    }

    /// <summary>One suspension: when it began (monotonic ns, from the event's timestamp), how long, why.</summary>
    public readonly record struct Suspension(long BeginNs, double DurationUs, string Reason);

    public List<Suspension> Suspensions
    {
        get
        {
            lock (_gate)
            {
                return [.. _suspensions];
            }
        }
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == RuntimeProvider)
        {
            EnableEvents(eventSource, EventLevel.Informational, (EventKeywords)0x1); // GC keyword: suspend/restart events
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (e.EventId == SuspendBeginId)
        {
            _begin = e.TimeStamp;
            int index = e.PayloadNames?.IndexOf("Reason") ?? -1;
            _reason = index >= 0 ? ReasonName(Convert.ToInt32(e.Payload![index], System.Globalization.CultureInfo.InvariantCulture)) : "?";
        }
        else if (e.EventId == RestartEndId && _begin is { } begin)
        {
            long beginNs = _monoAtStartNs + (long)((begin - _utcAtStart).TotalMilliseconds * 1e6);
            lock (_gate)
            {
                _suspensions.Add(new Suspension(beginNs, (e.TimeStamp - begin).TotalMicroseconds, _reason));
            }

            _begin = null;
        }
    }

    private static string ReasonName(int reason) => reason switch
    {
        0 => "other",
        1 => "gc",
        2 => "appdomain-shutdown",
        3 => "code-pitching",
        4 => "shutdown",
        5 => "debugger",
        6 => "gc-prep",
        7 => "debugger-sweep",
        _ => reason.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
