using System.Diagnostics;
using System.Globalization;
using Edge.Modbus;
using Edge.Modbus.Client;
using Edge.Modbus.Inverter;

namespace Edge.Guard;

/// <summary>Settings of <c>edge guard</c>; units in the names.</summary>
internal sealed class GuardOptions
{
    /// <summary>The daemon's state directory (the board and the device list live there).</summary>
    public string StateDirectory { get; set; } = "edge-state";

    /// <summary>No daemon beat for this long = the daemon is dead or hung, ms. Must be well inside the inverters' revert timeout.</summary>
    public int TimeoutMs { get; set; } = 500;

    /// <summary>A freshly started daemon that has not beaten once within this long is taken over, ms.</summary>
    public int StartupTimeoutMs { get; set; } = 30_000;

    /// <summary>After a planned handover, hold the battery power this long before ramping out, s.</summary>
    public double HoldS { get; set; } = 30;

    /// <summary>The guard's tick, ms (heartbeat check; setpoint writes while ramping).</summary>
    public int TickMs { get; set; } = 20;
}

/// <summary>
/// The guard (docs/guard.md): a minimal process beside the daemon with its own Modbus connections. It watches the
/// daemon's beat on the <see cref="OwnershipBoard"/>; when the beat stops it SIGKILLs the daemon, takes the board (a new
/// epoch: the daemon's own writes are fenced even if it were still alive) and ramps every inverter to 0 W at the ramp
/// limit — all inverters together, so the batteries' total moves at the limit. After a planned handover it holds the
/// power for <see cref="GuardOptions.HoldS"/> first. A new daemon that takes the board ends the guard's writes at once.
/// Every tick is allocation-free once the devices are connected.
/// </summary>
internal sealed class Guardian : IDisposable
{
    /// <summary>The most a device's setpoint catches up in one write after its writes stalled, s of its ramp share.</summary>
    private const double MaxCatchUpS = 0.1;

    private readonly GuardOptions _options;
    private readonly OwnershipBoard _board;
    private readonly TextWriter _log;
    private readonly string _devicesPath;
    private Device[] _devices = [];
    private DateTime _devicesStamp;
    private long _nextReloadTicks;

    private long _watchedWord;
    private long _lastBeat;
    private long _lastBeatTicks;
    private long _epochTicks;
    private bool _armed;
    private long _lastWatchTicks;

    private long _held;
    private long _actingSinceTicks;
    private double _holdS;
    private double _rampS;
    private bool _atZero;
    private long _nextRefreshTicks;

    /// <summary>Creates the guard on the board in the state directory.</summary>
    public Guardian(GuardOptions options, TextWriter log)
    {
        _options = options;
        _log = log;
        _board = OwnershipBoard.Open(options.StateDirectory);
        _devicesPath = Path.Combine(options.StateDirectory, GuardDevices.FileName);
        _board.PublishGuardHold(Environment.ProcessId, options.HoldS);
        _board.GuardPid = Environment.ProcessId;
    }

    /// <summary>Takeovers so far.</summary>
    public int Takeovers { get; private set; }

    /// <summary>
    /// True once the guard has seen the daemon beat since the board last changed hands: from then on a silence longer
    /// than the beat timeout is a takeover; before it, only the (longer) startup timeout is.
    /// </summary>
    public bool Armed => Volatile.Read(ref _armed);

    /// <summary>True while the guard owns the inverters.</summary>
    public bool Acting => _held != 0;

    /// <summary>Runs until <paramref name="stop"/> is cancelled.</summary>
    public void Run(CancellationToken stop)
    {
        Log($"watching {_board.Path} (daemon beat timeout {_options.TimeoutMs} ms, tick {_options.TickMs} ms, hold after a planned handover {F(_options.HoldS)} s)");
        long tick = Ticks(_options.TickMs);
        long next = Stopwatch.GetTimestamp();
        long allocatedAtSteady = -1;
        long ticks = 0;
        while (!stop.IsCancellationRequested)
        {
            next += tick;
            long now = Stopwatch.GetTimestamp();
            _board.GuardTick();
            if (!Acting)
            {
                Watch(now);
                ReloadDevices(now);
                KeepLinks(now); // may block for a connect or a discovery: Watch discounts the guard's own stalls
            }
            else
            {
                Act(now);
                KeepLinks(now); // reconnects a device that failed a write
            }

            ticks++;
            if (ticks == 500)
            {
                allocatedAtSteady = GC.GetAllocatedBytesForCurrentThread();
            }

            long waitTicks = next - Stopwatch.GetTimestamp();
            if (waitTicks > 0)
            {
                stop.WaitHandle.WaitOne((int)Math.Max(1, waitTicks * 1000 / Stopwatch.Frequency));
            }
            else
            {
                next = Stopwatch.GetTimestamp(); // late: do not try to catch up
            }
        }

        string alloc = allocatedAtSteady < 0 ? "" : string.Create(CultureInfo.InvariantCulture,
            $"; {GC.GetAllocatedBytesForCurrentThread() - allocatedAtSteady} B allocated by the guard thread over its last {ticks - 500} ticks");
        Log($"stopping{(Acting ? " while owning the inverters: they hold their reversion setpoint" : "")}{alloc}");
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (Device d in _devices)
        {
            d.Client.Dispose();
        }

        _board.Dispose();
    }

    private void Watch(long now)
    {
        long word = _board.Word;
        OwnershipBoard.Owner owner = OwnershipBoard.OwnerOf(word);
        if (word != _watchedWord)
        {
            _watchedWord = word;
            _lastBeat = _board.DaemonBeat;
            _lastBeatTicks = now;
            _epochTicks = now;
            Volatile.Write(ref _armed, false);
            if (owner == OwnershipBoard.Owner.Guard && _board.Handover == 1)
            {
                StartActing(word, planned: true, now, "planned handover by the daemon");
                return;
            }
        }

        if (owner != OwnershipBoard.Owner.Daemon)
        {
            return;
        }

        long beat = _board.DaemonBeat;
        bool guardStalled = now - _lastWatchTicks > Ticks(_options.TimeoutMs / 2.0);
        _lastWatchTicks = now;
        if (guardStalled && beat == _lastBeat)
        {
            _lastBeatTicks = now; // the guard itself was not looking (a blocking connect): silence is counted from now
            return;
        }

        if (beat != _lastBeat)
        {
            _lastBeat = beat;
            _lastBeatTicks = now;
            Volatile.Write(ref _armed, true);
            return;
        }

        long silentTicks = now - _lastBeatTicks;
        bool dead = _armed ? silentTicks > Ticks(_options.TimeoutMs) : now - _epochTicks > Ticks(_options.StartupTimeoutMs);
        if (!dead)
        {
            return;
        }

        int pid = _board.DaemonPid;
        string killed = "not running";
        if (pid > 0 && pid != Environment.ProcessId && GuardNative.Kill(pid, 0) == 0)
        {
            // Fence first: a stopped (SIGSTOP) or hung daemon never runs another instruction after SIGKILL.
            killed = GuardNative.Kill(pid, GuardNative.SigKill) == 0 ? "SIGKILLed" : "could not be killed (the epoch still fences it)";
        }

        long taken = _board.TryTake(word, OwnershipBoard.Owner.Guard);
        if (taken == 0)
        {
            return; // the board moved (a new daemon, or a handover) in the meantime: look again next tick
        }

        StartActing(taken, planned: false, now, string.Create(CultureInfo.InvariantCulture,
            $"daemon beat lost: no beat for {silentTicks * 1000.0 / Stopwatch.Frequency:0} ms{(_armed ? "" : " since it started")}; daemon pid {pid} {killed}"));
    }

    private void StartActing(long word, bool planned, long now, string why)
    {
        _held = word;
        _actingSinceTicks = now;
        _atZero = false;
        _nextRefreshTicks = 0;
        Takeovers++;
        double totalW = 0;
        var starts = new List<string>(_devices.Length); // once per takeover, for the log line
        foreach (Device d in _devices)
        {
            // Start from what the battery delivers now (701 W, read back at once): a daemon whose last writes failed or
            // were fenced may have posted setpoints the device never got. Then the daemon's last setpoint, then the
            // last plausible power read while watching.
            d.Slot = _board.SlotOf(d.Spec.Id);
            double setpointW = d.Slot >= 0 ? _board.SetpointOf(d.Slot) : double.NaN;
            double w = double.NaN;
            string from = "";
            if (d.Ready && d.Profile.Poll(d.Client, d.Spec.UnitId, out InverterReading now0).IsOk)
            {
                if (!now0.Implausible.IsNone)
                {
                    // Not what the device delivers (20 kW read on a 2 kW device; clamped to the rating and commanded,
                    // that was a step up to full power). The daemon's last setpoint is: it writes every change at
                    // once and keeps the reversion setpoint on it, and any reading beyond the plausible bound is
                    // larger than a setpoint, which never exceeds the rating — so it is also the smaller of the two.
                    from = $" (its reading is implausible: {now0.Implausible}; ramping from {(double.IsFinite(setpointW) ? "the daemon's last setpoint" : "the last plausible reading")})";
                }
                else if (double.IsFinite(now0.PowerW))
                {
                    w = d.Spec.InvertSign ? -now0.PowerW : now0.PowerW;
                }
            }

            if (!double.IsFinite(w))
            {
                w = double.IsFinite(setpointW) ? setpointW : d.MeasuredW;
            }

            d.StartW = double.IsFinite(w) ? Math.Clamp(w, -d.Spec.RatedPowerW, d.Spec.RatedPowerW) : 0;
            d.CommandW = d.StartW;
            d.LastActTicks = now;
            d.RevertW = double.NaN;
            d.NextRevertTicks = 0;
            totalW += Math.Abs(d.StartW);
            starts.Add(string.Create(CultureInfo.InvariantCulture, $"{d.Spec.Id} {d.StartW:0} W{from}"));
        }

        double rampWPerS = _board.RampWPerS;
        _holdS = planned ? _options.HoldS : 0;
        _rampS = rampWPerS > 0 ? totalW / rampWPerS : 0;
        Log(string.Create(CultureInfo.InvariantCulture,
            $"TAKEOVER ({why}): epoch {OwnershipBoard.EpochOf(word)}, {_devices.Length} inverters at {string.Join(", ", starts)}; " +
            $"{(planned ? $"holding {_holdS:0.#} s, then " : "")}ramping {totalW:0} W to 0 W at {rampWPerS:0.#} W/s ({_rampS:0.#} s)"));
        Act(now);
    }

    private void Act(long now)
    {
        if (_board.Word != _held)
        {
            Log($"released: a daemon took the inverters (epoch {OwnershipBoard.EpochOf(_board.Word)})");
            _held = 0;
            _watchedWord = 0;
            return;
        }

        double t = (now - _actingSinceTicks) / (double)Stopwatch.Frequency;
        double fraction = t <= _holdS ? 1 : _rampS <= 0 ? 0 : Math.Max(0, 1 - ((t - _holdS) / _rampS));
        bool ramping = fraction > 0 && fraction < 1;
        foreach (Device d in _devices)
        {
            ramping |= d.Ready && d.CommandW != d.StartW * fraction; // a device that lags its schedule still ramps
        }

        if (!ramping && now < _nextRefreshTicks)
        {
            return; // holding or at 0 W: refresh the revert timer twice a second only
        }

        _nextRefreshTicks = now + Ticks(500);
        foreach (Device d in _devices)
        {
            if (!d.Ready || _board.Word != _held)
            {
                continue; // fenced between two devices: the check above ends acting on the next tick
            }

            // Each device follows the schedule at its own share of the ramp, from what it was last sent: a device
            // whose writes stalled (a lost link, a descheduled guard) continues from where it was, never jumps to where
            // the schedule is now — it reaches 0 W later instead. The catch-up per write is at most 100 ms of its
            // share, so the batteries' total never moves faster than the ramp limit plus a tenth of it.
            double dtS = Math.Min((now - d.LastActTicks) / (double)Stopwatch.Frequency, MaxCatchUpS);
            d.LastActTicks = now;
            double maxStepW = _rampS > 0 ? Math.Abs(d.StartW) / _rampS * dtS : double.PositiveInfinity;
            double w = MoveToward(d.CommandW, d.StartW * fraction, maxStepW);
            d.CommandW = w; // sent, or maybe applied by a device whose answer was lost: the next write continues from it
            double deviceW = d.Spec.InvertSign ? -w : w;
            if (!d.Profile.WriteSetpoint(d.Client, d.Spec.UnitId, deviceW).IsOk)
            {
                d.Ready = false;
                continue;
            }

            if (now >= d.NextRevertTicks && w != d.RevertW && d.Profile.CanTrackRevert)
            {
                d.NextRevertTicks = now + Ticks(1000);
                if (d.Profile.WriteRevertSetpoint(d.Client, d.Spec.UnitId, deviceW).IsOk)
                {
                    d.RevertW = w;
                }
            }
        }

        if (fraction == 0 && !_atZero && _devices.All(d => d.CommandW == 0 && (d.RevertW == 0 || !d.Profile.CanTrackRevert)))
        {
            _atZero = true;
            Log(string.Create(CultureInfo.InvariantCulture, $"all inverters at 0 W after {t:0.##} s"));
        }
    }

    private void ReloadDevices(long now)
    {
        if (now < _nextReloadTicks)
        {
            return;
        }

        _nextReloadTicks = now + Ticks(1000);
        DateTime stamp;
        try
        {
            stamp = File.GetLastWriteTimeUtc(_devicesPath);
        }
        catch (IOException)
        {
            return;
        }

        if (stamp == _devicesStamp || !File.Exists(_devicesPath))
        {
            return;
        }

        _devicesStamp = stamp;
        IReadOnlyList<GuardDevice> specs;
        try
        {
            specs = GuardDevices.Load(_devicesPath);
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            Log($"cannot read the device list: {e.Message}");
            return;
        }

        foreach (Device d in _devices)
        {
            d.Client.Dispose();
        }

        _devices = [.. specs.Select(s => new Device(s))];
        Log($"devices: {string.Join(", ", specs.Select(s => $"{s.Id} at {s.Host}:{s.Port} unit {s.UnitId}"))}");
    }

    /// <summary>Connects and resolves every device, and reads each once a second (the link stays known-good before a takeover).</summary>
    private void KeepLinks(long now)
    {
        foreach (Device d in _devices)
        {
            if (now < d.NextCheckTicks)
            {
                continue;
            }

            d.NextCheckTicks = now + Ticks(1000);
            bool relinked = false;
            if (!d.Ready)
            {
                bool wasReady = d.EverReady;
                string problem = "";
                if (!d.Client.TryConnect() || !d.Profile.TryResolve(d.Client, d.Spec.UnitId, out _)
                    || !d.Profile.PrepareWrites(d.Client, d.Spec.UnitId, out problem).IsOk)
                {
                    d.Client.Disconnect();
                    if (problem.Length > 0)
                    {
                        // It answers, but cannot be commanded as it reports itself (a 124 device without a usable
                        // WChaMax): never by a guessed percentage. The daemon does not enable such a device either.
                        if (problem != d.Refusal)
                        {
                            d.Refusal = problem;
                            Log($"{d.Spec.Id}: not commanded: {problem}");
                        }
                    }
                    else if (!d.Complained)
                    {
                        d.Complained = true;
                        Log($"{d.Spec.Id}: not reachable yet ({d.Spec.Host}:{d.Spec.Port})");
                    }

                    continue;
                }

                d.Ready = true;
                d.EverReady = true;
                d.Complained = false;
                d.Refusal = "";
                Log($"{d.Spec.Id}: {(wasReady ? "reconnected" : "connected")} ({d.Profile.Description})");
                relinked = Acting;
            }

            if (d.Profile.Poll(d.Client, d.Spec.UnitId, out InverterReading reading).IsOk)
            {
                bool plausible = reading.Implausible.IsNone;
                double w = d.Spec.InvertSign ? -reading.PowerW : reading.PowerW;
                if (plausible)
                {
                    d.MeasuredW = w; // the last plausible reading
                }

                if (relinked)
                {
                    // A link re-made while acting: the device may have reverted on its own timer meanwhile (to its
                    // reversion setpoint) or applied a write whose answer was lost. Its ramp continues from what it
                    // delivers now — read now, and only when plausible: an implausible reading is not what it
                    // delivers, and then the ramp continues from the last command (the reversion setpoint the device
                    // may have gone to trails that by at most a second of the ramp) — and its reversion setpoint is
                    // written again at once.
                    if (plausible && double.IsFinite(w))
                    {
                        d.CommandW = Math.Clamp(w, -d.Spec.RatedPowerW, d.Spec.RatedPowerW);
                    }
                    else if (!plausible)
                    {
                        Log(string.Create(CultureInfo.InvariantCulture,
                            $"{d.Spec.Id}: its reading is implausible ({reading.Implausible}): the ramp continues from the last command, {d.CommandW:0} W"));
                    }

                    d.LastActTicks = now;
                    d.RevertW = double.NaN;
                    d.NextRevertTicks = 0;
                }
            }
            else
            {
                d.Ready = false;
                d.Client.Disconnect();
                Log($"{d.Spec.Id}: link lost; reconnecting");
            }
        }
    }

    private void Log(string message) =>
        _log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{DateTime.UtcNow:yyyy-MM-ddTHH:mm:ss.fffZ} edge-guard: {message}"));

    private static long Ticks(double ms) => (long)(ms * Stopwatch.Frequency / 1000);

    private static double MoveToward(double fromW, double toW, double maxStepW) =>
        fromW < toW ? Math.Min(toW, fromW + maxStepW) : Math.Max(toW, fromW - maxStepW);

    private static string F(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);

    /// <summary>One inverter's link and takeover state.</summary>
    private sealed class Device(GuardDevice spec)
    {
        public GuardDevice Spec { get; } = spec;

        public ModbusTcpClient Client { get; } = new(new ModbusClientOptions { Host = spec.Host, Port = spec.Port, RequestTimeoutMs = 200, ConnectTimeoutMs = 500 });

        /// <summary>The device's SunSpec profile; the rating from the device list bounds a plausible reading (MaxValue: none configured, the device's own).</summary>
        public SunSpecProfile Profile { get; } = new(spec.RatedPowerW < double.MaxValue ? spec.RatedPowerW : 0);

        public int Slot { get; set; } = -1;

        public bool Ready { get; set; }

        public bool EverReady { get; set; }

        public bool Complained { get; set; }

        /// <summary>Why the device answers but cannot be commanded (said once per reason), or empty.</summary>
        public string Refusal { get; set; } = "";

        public long NextCheckTicks { get; set; }

        /// <summary>The last plausible power read while watching, W (NaN: none yet).</summary>
        public double MeasuredW { get; set; } = double.NaN;

        public double StartW { get; set; }

        /// <summary>The setpoint last sent while acting, W (the device's own sign convention undone).</summary>
        public double CommandW { get; set; }

        /// <summary>When the guard last sent (or tried to send) this device's setpoint while acting.</summary>
        public long LastActTicks { get; set; }

        public double RevertW { get; set; } = double.NaN;

        public long NextRevertTicks { get; set; }
    }
}
