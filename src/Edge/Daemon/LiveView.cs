using System.Globalization;
using Edge.Core.Control;
using Edge.Runtime.Scheduling;
using Edge.Runtime.Statistics;
using Spectre.Console;

namespace Edge.Daemon;

/// <summary>
/// The terminal view of <c>edge run</c> (issue 7): load, grid, target, battery, SoC, mode, flags, loop lateness p99 and
/// the MQTT link, redrawn four times a second — readable at a glance. It runs only on an interactive terminal and not
/// under systemd; otherwise the daemon logs plain lines (and <see cref="StatusLine"/> every few seconds).
/// </summary>
internal sealed class LiveView : IDisposable
{
    private readonly CyclePump _pump;
    private readonly CyclicExecutive _executive;
    private readonly Func<bool> _mqttConnected;
    private readonly MqttSettings _mqtt;
    private readonly EdgeOptions _edge;
    private readonly string _rig;
    private readonly RecentLogLines? _log;
    private readonly CancellationTokenSource _stop = new();
    private Thread? _thread;
    private int _disposed;

    public LiveView(CyclePump pump, CyclicExecutive executive, Func<bool> mqttConnected, MqttSettings mqtt, EdgeOptions edge, string rig, RecentLogLines? log)
    {
        _log = log;
        _pump = pump;
        _executive = executive;
        _mqttConnected = mqttConnected;
        _mqtt = mqtt;
        _edge = edge;
        _rig = rig;
    }

    /// <summary>True when the view should run for the <c>Edge:LiveView</c> setting in this environment.</summary>
    public static bool ShouldRun(string setting) => setting switch
    {
        "on" => true,
        "off" => false,
        _ => !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("INVOCATION_ID") is null
             && Environment.GetEnvironmentVariable("TERM") is not (null or "dumb"),
    };

    /// <summary>One more line of figures (agents, backstop tier, site limit), or null.</summary>
    public Func<string>? Extra { get; set; }

    public void Start()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "live-view" };
        _thread.Start();
    }

    public void Dispose()
    {
        // The daemon closes the view when it stops and again when the host disposes it.
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _stop.Cancel();
        _thread?.Join(TimeSpan.FromSeconds(2));
        _stop.Dispose();
        if (_log is not null)
        {
            // The terminal is the console's again: what is logged after the last frame (the end of the ramp-down, the
            // state saved, the exit) is written as plain lines below it.
            _log.Echo = Console.Error;
        }
    }

    /// <summary>One plain line with the same figures (logs, non-interactive runs).</summary>
    /// <param name="f">The figures.</param>
    /// <param name="loop">The loop's statistics.</param>
    /// <param name="mqtt">The MQTT link: true up, false down, null off (<c>Mqtt:Enabled=false</c>).</param>
    public static string StatusLine(in LiveFigures f, in LoopStatsSnapshot loop, bool? mqtt) => string.Create(CultureInfo.InvariantCulture,
        $"load {f.LoadW:0} W · grid {f.GridW:0} W (target {f.GridTargetW:0}) · battery {f.BatteryW:0} W (setpoint {f.BatterySetpointW:0}) · SoC {f.SocPct:0.0} % · {f.Mode.ToString().ToLowerInvariant()} · lateness p99 {loop.Lateness.P99Us:0} µs · overruns {loop.Counters.Overruns} · MQTT {(mqtt is null ? "off" : mqtt.Value ? "up" : "down")}");

    private void Run()
    {
        try
        {
            AnsiConsole.Live(Render(default, default, false)).AutoClear(false).Start(ctx =>
            {
                while (!_stop.Token.WaitHandle.WaitOne(250))
                {
                    _pump.Live.TryRead(out LiveFigures f, out _, out _);
                    ctx.UpdateTarget(Render(f, _executive.Statistics.Snapshot(), _mqttConnected()));
                    ctx.Refresh();
                }
            });
        }
        catch (InvalidOperationException)
        {
            // Another live display or no console: the plain log lines remain.
        }
    }

    private Rows Render(in LiveFigures f, in LoopStatsSnapshot loop, bool mqtt)
    {
        Table t = Figures(f, loop, mqtt);
        IReadOnlyList<string> lines = _log?.Lines ?? [];
        var log = new Markup(lines.Count == 0 ? "[grey]…[/]" : string.Join('\n', lines.Select(l => Markup.Escape(l.Length > 400 ? l[..400] + "…" : l))));
        return new Rows(t, new Panel(log).Header("log").Border(BoxBorder.Rounded).Expand());
    }

    private Table Figures(in LiveFigures f, in LoopStatsSnapshot loop, bool mqtt)
    {
        var t = new Table().Border(TableBorder.Rounded).Title($"[bold]edge[/] · {Markup.Escape(_edge.Site)}/{Markup.Escape(_edge.Node)} · rig {Markup.Escape(_rig)}");
        t.AddColumn("");
        t.AddColumn(new TableColumn("").RightAligned());
        t.AddColumn("");
        t.AddColumn(new TableColumn("").RightAligned());
        string mode = f.Mode switch
        {
            ControlMode.Auto => "[green]auto[/]",
            ControlMode.Hold => "[yellow]hold[/]",
            ControlMode.Standby => "[yellow]standby[/]",
            _ => "[red bold]fault[/]",
        };
        t.AddRow("load", W(f.LoadW), "mode", mode);
        t.AddRow("grid", W(f.GridW), "SoC", $"{f.SocPct.ToString("0.0", CultureInfo.InvariantCulture)} %");
        t.AddRow("grid target", W(f.GridTargetW), "inverters", $"{f.InvertersUsable}/{f.InvertersTotal} ok");
        t.AddRow("battery", W(f.BatteryW), "sensors", $"{f.SensorsUsable}/{f.SensorsTotal} ok");
        t.AddRow("setpoint", W(f.BatterySetpointW), "MQTT", !_mqtt.Enabled ? "off (Mqtt:Enabled=false)" : mqtt ? $"[green]up[/] {Markup.Escape(_mqtt.Host)}:{_mqtt.Port}" : $"[red]down[/] {Markup.Escape(_mqtt.Host)}:{_mqtt.Port}");
        t.AddRow("lateness p99", $"{loop.Lateness.P99Us.ToString("0", CultureInfo.InvariantCulture)} µs", "overruns", loop.Counters.Overruns.ToString(CultureInfo.InvariantCulture));
        string flags = f.Flags == ControlFlags.None ? "–" : Markup.Escape(FlagNames(f.Flags));
        if (Extra?.Invoke() is { Length: > 0 } extra)
        {
            t.AddRow("levers", Markup.Escape(extra), "", "");
        }

        t.AddRow("flags", (f.Flags & (ControlFlags.EmergencyStop | ControlFlags.Saturated | ControlFlags.LoadMissing | ControlFlags.BatteryUnavailable)) != 0 ? $"[red]{flags}[/]" : flags, "cycles", loop.Counters.Cycles.ToString(CultureInfo.InvariantCulture));
        return t;
    }

    /// <summary>The flags by the names the MQTT state message uses (<c>flag_names</c>: <c>ramp_limited_down</c>, …).</summary>
    internal static string FlagNames(ControlFlags flags)
    {
        var names = new List<string>();
        for (int bit = 0; bit < 32; bit++)
        {
            var flag = (ControlFlags)(1u << bit);
            if ((flags & flag) != 0 && Enum.IsDefined(flag))
            {
                names.Add(System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(flag.ToString()));
            }
        }

        return string.Join(' ', names);
    }

    private static string W(double w) => double.IsFinite(w) ? $"{w.ToString("0", CultureInfo.InvariantCulture)} W" : "–";
}
