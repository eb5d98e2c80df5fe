using Edge.Agents.Contract;
using Edge.Core.Forecast;

namespace Edge.Agents.Registry;

/// <summary>
/// Edge's view of the node agents of its site (docs/agents.md): it reads <c>edge/{site}/agents/+/+</c> — retained
/// <c>status</c> and <c>capabilities</c>, <c>telemetry</c>, <c>announce</c> — strictly (a malformed message is refused,
/// counted and remembered with its reason; nothing of it is used) and keeps, per agent, what it may count on. An agent
/// is <b>active</b> while its status says online, its capabilities are known and its last telemetry is at most
/// <see cref="DropAfterNs"/> old (1 s by default: 10 periods at 10 Hz); otherwise it is dropped from the plan until
/// telemetry resumes. Its hard limits are whatever its own capabilities say: nothing here widens them. Phase
/// announcements become <see cref="AnnouncedPhase"/> on the monotonic time base (a later one with the same id replaces
/// the earlier). Runs off the control loop: <see cref="Handle"/> on the MQTT thread, <see cref="Sweep"/> on any other;
/// one lock guards the state. At most <see cref="MaxAgents"/> agents and <see cref="MaxAnnouncements"/> announcements
/// are held (beyond: refused and counted), so a flood of identities cannot grow it without bound.
/// </summary>
public sealed class AgentRegistry
{
    /// <summary>Agents held at most.</summary>
    public const int MaxAgents = 1024;

    /// <summary>Announcements held at most.</summary>
    public const int MaxAnnouncements = 256;

    private readonly object _gate = new();
    private readonly Dictionary<string, AgentEntry> _agents = new(StringComparer.Ordinal);
    private readonly Dictionary<string, AnnouncedPhase> _announcements = new(StringComparer.Ordinal);
    private readonly string _prefix;
    private readonly TimeProvider _wall;
    private long _refused;
    private readonly HashSet<string> _ignored = new(StringComparer.Ordinal);

    /// <summary>Creates the registry of site <paramref name="site"/>.</summary>
    /// <param name="site">The site topic level.</param>
    /// <param name="wall">Wall clock (for absolute announcement times).</param>
    /// <param name="dropAfterS">Telemetry older than this drops the agent, s (docs/agents.md: 1 s).</param>
    public AgentRegistry(string site, TimeProvider wall, double dropAfterS = 1.0)
    {
        if (!AgentTopics.IsLevel(site))
        {
            throw new ArgumentException($"site '{site}' is not a valid topic level.", nameof(site));
        }

        if (!(dropAfterS > 0) || !double.IsFinite(dropAfterS))
        {
            throw new ArgumentOutOfRangeException(nameof(dropAfterS), "The drop time must be positive.");
        }

        _prefix = $"edge/{site}/agents/";
        _wall = wall ?? throw new ArgumentNullException(nameof(wall));
        DropAfterNs = (long)(dropAfterS * 1e9);
        Filter = _prefix + "+/+";
    }

    /// <summary>The subscription: <c>edge/{site}/agents/+/+</c> (commands and replies are one level deeper).</summary>
    public string Filter { get; }

    /// <summary>Telemetry age beyond which an agent is dropped, ns.</summary>
    public long DropAfterNs { get; }

    /// <summary>Messages refused (malformed, unknown agent beyond the bound, …).</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>
    /// Which agents are taken at all (null: every agent of the site). A message from any other is not used; the first
    /// from each is reported through <see cref="Ignored"/> (the sim rig admits only its own simulated agents).
    /// </summary>
    public Func<string, bool>? Admits { get; init; }

    /// <summary>Called (under no lock) once per agent that <see cref="Admits"/> refuses, with its id.</summary>
    public Action<string>? Ignored { get; set; }

    /// <summary>Agents whose messages were not used because <see cref="Admits"/> refused them.</summary>
    public int IgnoredAgents
    {
        get
        {
            lock (_gate)
            {
                return _ignored.Count;
            }
        }
    }

    /// <summary>Called (under no lock) when an agent becomes active or is dropped: id, active, reason.</summary>
    public Action<string, bool, string?>? Changed { get; set; }

    /// <summary>Takes one message (the MQTT thread). Messages outside the agents' tree are ignored; returns true if used.</summary>
    public bool Handle(string topic, ReadOnlySpan<byte> payload, bool retained, long nowNs)
    {
        if (!topic.StartsWith(_prefix, StringComparison.Ordinal))
        {
            return false;
        }

        string rest = topic[_prefix.Length..];
        int slash = rest.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || rest.IndexOf('/', slash + 1) >= 0)
        {
            return false; // cmd/…/… and reply/…/… (or junk) are not the registry's
        }

        string id = rest[..slash];
        string leaf = rest[(slash + 1)..];
        if (!AgentTopics.IsLevel(id) || leaf is not ("status" or "capabilities" or "telemetry" or "announce"))
        {
            Interlocked.Increment(ref _refused);
            return false;
        }

        if (Admits is { } admits && !admits(id))
        {
            bool first;
            lock (_gate)
            {
                first = _ignored.Count < MaxAgents && _ignored.Add(id);
            }

            if (first)
            {
                Ignored?.Invoke(id);
            }

            return false;
        }

        if (payload.IsEmpty)
        {
            // A retained status or capabilities being cleared: forget the agent.
            if (leaf is "status" or "capabilities")
            {
                lock (_gate)
                {
                    _agents.Remove(id);
                }
            }

            return true;
        }

        lock (_gate)
        {
            if (!_agents.TryGetValue(id, out AgentEntry? a))
            {
                if (_agents.Count >= MaxAgents)
                {
                    Interlocked.Increment(ref _refused);
                    return false;
                }

                a = new AgentEntry(id);
                _agents.Add(id, a);
            }

            string? error = leaf switch
            {
                "status" => OnStatus(a, payload),
                "capabilities" => OnCapabilities(a, payload),
                "telemetry" => OnTelemetry(a, payload, nowNs),
                _ => OnAnnounce(payload, retained, nowNs),
            };
            if (error is not null)
            {
                a.Refused++;
                a.LastError = $"{leaf}: {error}";
                Interlocked.Increment(ref _refused);
                return false;
            }

            return true;
        }
    }

    /// <summary>
    /// Re-evaluates every agent at <paramref name="nowNs"/> (drop-out), forgets announcements past, and returns what the
    /// plan may count on.
    /// </summary>
    public AgentFleet Sweep(long nowNs)
    {
        List<(string Id, bool Active, string? Why)>? changes = null;
        var fleet = default(AgentFleet);
        lock (_gate)
        {
            foreach (AgentEntry a in _agents.Values)
            {
                string? why = !a.Online ? "offline"
                    : a.Capabilities is null ? "no capabilities yet"
                    : a.Telemetry is null ? "no telemetry yet"
                    : nowNs - a.LastTelemetryNs > DropAfterNs ? FormattableString.Invariant($"no telemetry for {(nowNs - a.LastTelemetryNs) * 1e-9:0.0} s")
                    : null;
                bool active = why is null;
                if (active != a.Active)
                {
                    (changes ??= []).Add((a.Id, active, why));
                }

                a.Active = active;
                a.DroppedBecause = why;
                fleet.Known++;
                if (!active)
                {
                    continue;
                }

                AgentCapabilities c = a.Capabilities!;
                double powerW = a.Telemetry!.PowerW;
                fleet.Active++;
                fleet.PowerW += powerW;
                fleet.SlowestResponseMs = Math.Max(fleet.SlowestResponseMs, c.ResponseMs);
                double room = Math.Max(0, Math.Min(powerW, c.MaxW) - c.MinW);
                if (c.Kind == AgentKind.Flex && c.Knobs.Contains(AgentKnob.Level))
                {
                    fleet.FlexCurtailableW += room;
                }
                else if (c.Kind == AgentKind.Gpu && c.Knobs.Contains(AgentKnob.PowerCap))
                {
                    fleet.GpuCappableW += room;
                }
            }

            List<string>? past = null;
            foreach (AnnouncedPhase p in _announcements.Values)
            {
                if (p.StartNs + p.DurationNs < nowNs - 60_000_000_000L)
                {
                    (past ??= []).Add(p.Id);
                }
            }

            past?.ForEach(id => _announcements.Remove(id));
            fleet.Announcements = _announcements.Count;
        }

        if (changes is not null && Changed is { } changed)
        {
            foreach ((string id, bool active, string? why) in changes)
            {
                changed(id, active, why);
            }
        }

        return fleet;
    }

    /// <summary>Calls <paramref name="visit"/> for every agent as of the last sweep, under the registry's lock (keep it short).</summary>
    public void Visit(Action<AgentEntry> visit)
    {
        ArgumentNullException.ThrowIfNull(visit);
        lock (_gate)
        {
            foreach (AgentEntry a in _agents.Values)
            {
                visit(a);
            }
        }
    }

    /// <summary>A copy of the agents as of the last sweep (for state and the live view), ordered by id.</summary>
    public IReadOnlyList<AgentView> Snapshot()
    {
        lock (_gate)
        {
            var list = new AgentView[_agents.Count];
            CopyTo(list);
            return list;
        }
    }

    /// <summary>
    /// Copies the agents as of the last sweep into <paramref name="into"/> (room for <see cref="MaxAgents"/>), ordered
    /// by id; returns how many. Allocation-free (the publisher calls it for every state message).
    /// </summary>
    public int CopyTo(Span<AgentView> into)
    {
        int n = 0;
        lock (_gate)
        {
            foreach (AgentEntry a in _agents.Values)
            {
                if (n == into.Length)
                {
                    break;
                }

                AgentTelemetry? t = a.Telemetry;
                AgentCapabilities? c = a.Capabilities;
                into[n++] = new AgentView(a.Id, c?.Kind, a.Online, a.Active, a.DroppedBecause, t?.PowerW, t?.CapW, t?.LevelPct, t?.State,
                    c?.MinW, c?.MaxW, a.TelemetryGaps, a.Refused, a.LastError, t?.DemandW);
            }
        }

        into[..n].Sort(static (x, y) => string.CompareOrdinal(x.Id, y.Id));
        return n;
    }

    /// <summary>The announcements held (a copy), earliest first.</summary>
    public IReadOnlyList<AnnouncedPhase> Announcements()
    {
        lock (_gate)
        {
            return [.. _announcements.Values.OrderBy(p => p.StartNs)];
        }
    }

    private static string? OnStatus(AgentEntry a, ReadOnlySpan<byte> payload)
    {
        ParseResult<AgentStatus> p = AgentJson.Parse<AgentStatus>(payload);
        if (p.Value is not { } s)
        {
            return p.Error;
        }

        a.Online = s.State == "online";
        return null;
    }

    private static string? OnCapabilities(AgentEntry a, ReadOnlySpan<byte> payload)
    {
        ParseResult<AgentCapabilities> p = AgentJson.Parse<AgentCapabilities>(payload);
        if (p.Value is not { } c)
        {
            return p.Error;
        }

        a.Capabilities = c;
        return null;
    }

    private static string? OnTelemetry(AgentEntry a, ReadOnlySpan<byte> payload, long nowNs)
    {
        ParseResult<AgentTelemetry> p = AgentJson.Parse<AgentTelemetry>(payload);
        if (p.Value is not { } t)
        {
            return p.Error;
        }

        if (a.Telemetry is { } last && t.Seq > last.Seq + 1)
        {
            a.TelemetryGaps += t.Seq - last.Seq - 1;
        }

        a.Telemetry = t;
        a.LastTelemetryNs = nowNs;
        return null;
    }

    private string? OnAnnounce(ReadOnlySpan<byte> payload, bool retained, long nowNs)
    {
        if (retained)
        {
            return "retained announcements are refused (an announcement is live news, its in_s counts from receipt)";
        }

        ParseResult<PhaseAnnouncement> p = AgentJson.Parse<PhaseAnnouncement>(payload);
        if (p.Value is not { } a)
        {
            return p.Error;
        }

        double inS = a.InS ?? (a.At!.Value - _wall.GetUtcNow()).TotalSeconds;
        if (inS < -60 || inS > 3600)
        {
            return FormattableString.Invariant($"$.at: {inS:0} s from now is outside [−60, 3600] s");
        }

        if (!_announcements.ContainsKey(a.Id) && _announcements.Count >= MaxAnnouncements)
        {
            return $"more than {MaxAnnouncements} announcements held";
        }

        _announcements[a.Id] = new AnnouncedPhase(a.Id, a.Kind, nowNs, nowNs + (long)(inS * 1e9), a.PowerW,
            (long)((a.DurationS ?? 0) * 1e9), (long)((a.PeriodS ?? 0) * 1e9));
        return null;
    }
}
