using System.Diagnostics;
using System.Globalization;
using Edge.Modbus;
using Edge.Modbus.Client;
using Edge.Modbus.Inverter;
using Edge.Modbus.Registers;
using Edge.Modbus.SunSpec;

namespace Edge.Check;

/// <summary>
/// Measures one SunSpec inverter for <c>edge check</c> (issue 11 item 3), over its own Modbus connection while no other
/// Edge writer talks to the device. Every step is a small test power (<see cref="ProbeSettings.StepW"/>, within the
/// ramp limit) around the power the device had at the start, and the device is left as found:
/// <list type="number">
/// <item>model 124: a non-zero <c>InOutWRte_WinTms</c> (a random delay before every change) FAILs, a non-zero
/// <c>InOutWRte_RmpTms</c> (every change slowed) WARNs;</item>
/// <item>read-back of <c>WSet</c> for 2 s after writing it: a value that changes without us means another Modbus
/// master writes the device — FAIL (one writer at a time);</item>
/// <item>command latency and time constant from a fast step (<c>WRmp</c> set high): dead time and first-order τ from
/// the 10 % and 63 % crossings of 701 <c>W</c>;</item>
/// <item>with <c>WRmp</c> set so the step takes ~1 s: are increases ramped, are decreases ramped (SunSpec ramps only
/// increases — then Edge, and on its death the guard, must ramp every decrease);</item>
/// <item>revert: a 2 s <c>WSetRvrtTms</c> to 0 W is left to expire at the test power; 701 <c>W</c> shows whether the
/// device holds, ramps or steps.</item>
/// </list>
/// </summary>
public sealed class InverterProbe : IDisposable
{
    private const double PollSleepMs = 2;

    private readonly InverterEndpoint _endpoint;
    private readonly Action<string> _progress;
    private readonly ModbusTcpClient _client;
    private readonly SunSpecProfile _profile = new();
    private readonly List<CheckResult> _results = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private SunSpecBlock? _measure;
    private SunSpecPoint? _w;
    private int _measureLength;
    private SunSpecBlock? _control;
    private double _ratedW;
    private double _lastWrittenW = double.NaN;

    /// <summary>Creates the probe (connects in <see cref="Run"/>).</summary>
    public InverterProbe(InverterEndpoint endpoint, Action<string> progress)
    {
        _endpoint = endpoint;
        _progress = progress;
        _client = new ModbusTcpClient(new ModbusClientOptions { Host = endpoint.Host, Port = endpoint.Port, RequestTimeoutMs = 500, ConnectTimeoutMs = 2000 });
    }

    /// <summary>Runs every measurement and returns one line per item.</summary>
    public IReadOnlyList<CheckResult> Run(ProbeSettings settings)
    {
        string name = $"inverter {_endpoint.Id}";
        if (!_client.TryConnect())
        {
            Add("link", CheckVerdict.Fail, $"no Modbus TCP connection to {_endpoint.Host}:{_endpoint.Port}");
            return _results;
        }

        if (!_profile.TryResolve(_client, _endpoint.UnitId, out string error) || _profile.Map is not { } map)
        {
            Add("SunSpec", CheckVerdict.Fail, error);
            return _results;
        }

        CheckStorageModel(map);
        if (map.Find(SunSpecModels.DerControlAc) is not { } control || map.Find(SunSpecModels.DerMeasureAc) is not { } measure)
        {
            Add("dynamics", CheckVerdict.Skip, "no model 704 (DER AC controls): latency, time constant, ramp and revert are measured on 704 devices only");
            return _results;
        }

        _measure = new SunSpecBlock(measure);
        _w = _measure.Definition["W"];
        _measureLength = _measure.Definition["MnAlrmInfo"].Offset;
        _control = new SunSpecBlock(control);
        if (!_profile.Poll(_client, _endpoint.UnitId, out InverterReading reading).IsOk || !_control.Refresh(_client, _endpoint.UnitId).IsOk)
        {
            Add("dynamics", CheckVerdict.Fail, "cannot read models 701/704");
            return _results;
        }

        _ratedW = reading.RatedW > 0 ? reading.RatedW : settings.StepW is { } s ? s * 50 : 0;
        if (!(_ratedW > 0))
        {
            Add("dynamics", CheckVerdict.Fail, "the device reports no rated power (802 WChaRteMax/WDisChaRteMax): give --step-w");
            return _results;
        }

        double stepW = settings.StepW ?? Math.Max(1, 0.02 * _ratedW);
        if (settings.RampWPerS is { } ramp)
        {
            stepW = Math.Min(stepW, ramp * 1.0); // a step the grid may see: within one second's ramp
        }

        ushort[] saved = _control.Registers.ToArray();
        double baseW = MeasuredW();
        _progress($"{name}: rated {F(_ratedW)} W, test steps of {F(stepW)} W around {F(baseW)} W");
        try
        {
            Measure(name, baseW, stepW, settings);
        }
        finally
        {
            Restore(saved, baseW);
        }

        return _results;
    }

    /// <inheritdoc />
    public void Dispose() => _client.Dispose();

    private void Measure(string name, double baseW, double stepW, ProbeSettings settings)
    {
        // Fast ramp so the step shows the device's own dynamics; revert far away while we measure.
        if (!Check(_profile.Configure(_client, _endpoint.UnitId, 1000, 30, _ratedW, baseW), "programming 704"))
        {
            return;
        }

        _lastWrittenW = baseW;
        if (!ReadBack(name))
        {
            Add("dynamics", CheckVerdict.Skip, "not measured while another writer commands the device (its writes would be measured, and fought)");
            return;
        }

        // Up to three steps, the quickest kept: on a busy box (this one's or the gateway's) scheduling only ever adds to
        // what the device does, so one slow step is not the device's latency.
        // (A step that does not follow ends the series; every earlier one followed, so best.Followed holds after the first.)
        StepResult best = default;
        int steps = 0;
        while (steps < 3)
        {
            steps++;
            _progress($"{name}: step response{(steps > 1 ? $" (step {steps} of 3)" : "")} …");
            StepResult r = StepResponse(baseW, stepW);
            Write(baseW);
            WaitUntil(w => Math.Abs(w - baseW) < 0.05 * stepW, TimeSpan.FromSeconds(3));
            if (steps == 1 || (r.Followed && r.DeadS < best.DeadS))
            {
                best = r;
            }

            if (!r.Followed || (r.DeadS <= 0.1 && r.TauS <= 0.2))
            {
                break;
            }
        }

        ReportStep(best, steps, stepW);

        _progress($"{name}: ramp of increases and decreases …");
        RampBehaviour(baseW, stepW);

        _progress($"{name}: revert (a {F(settings.RevertTimeoutS)} s WSetRvrtTms left to expire at {F(stepW)} W) …");
        Revert(baseW, stepW, settings.RevertTimeoutS);
    }

    private void CheckStorageModel(SunSpecMap map)
    {
        if (map.Find(SunSpecModels.Storage) is not { } storage)
        {
            Add("124 InOutWRte_WinTms", CheckVerdict.Pass, "no model 124: no random-delay window");
            return;
        }

        var block = new SunSpecBlock(storage);
        if (!block.Refresh(_client, _endpoint.UnitId).IsOk)
        {
            Add("124 InOutWRte_WinTms", CheckVerdict.Fail, "model 124 cannot be read");
            return;
        }

        bool hasWin = block.TryRead("InOutWRte_WinTms", out double winS);
        Add("124 InOutWRte_WinTms", !hasWin || winS == 0 ? CheckVerdict.Pass : CheckVerdict.Fail, !hasWin
            ? "not implemented"
            : winS == 0
                ? "0 s: no random delay"
                : $"{F(winS)} s: every setpoint change waits a random 0–{F(winS)} s — a loop cannot control through that; set InOutWRte_WinTms = 0");
        bool hasRmp = block.TryRead("InOutWRte_RmpTms", out double rmpS);
        Add("124 InOutWRte_RmpTms", !hasRmp || rmpS == 0 ? CheckVerdict.Pass : CheckVerdict.Warn, !hasRmp
            ? "not implemented"
            : rmpS == 0 ? "0 s" : $"{F(rmpS)} s: every setpoint change is slowed to {F(rmpS)} s (Edge's battery then lags the load); set 0 unless the site needs it");
    }

    /// <summary>Writes WSet once, then reads it back for 2 s without writing: it must keep our value. False when another writer was seen.</summary>
    private bool ReadBack(string name)
    {
        _progress($"{name}: WSet read-back for 2 s (no writes) …");
        SunSpecPoint wset = _control!.Definition["WSet"];
        int ctrlHbAddress = _profile.ControllerHeartbeatAddress;
        Span<ushort> hb = stackalloc ushort[1];
        int firstHb = -1, hbChanges = 0;
        var end = Stopwatch.StartNew();
        double foreignW = double.NaN;
        int reads = 0;
        while (end.Elapsed < TimeSpan.FromSeconds(2))
        {
            if (!_control.Refresh(_client, _endpoint.UnitId, wset.Offset, wset.Offset + 2).IsOk || !_control.TryRead(wset, out double w))
            {
                Add("WSet read-back", CheckVerdict.Fail, "WSet cannot be read back");
                return false;
            }

            reads++;
            if (Math.Abs(w - _lastWrittenW) > Math.Max(1, 0.001 * _ratedW) && double.IsNaN(foreignW))
            {
                foreignW = w;
            }

            if (ctrlHbAddress >= 0 && _client.ReadHoldingRegisters(_endpoint.UnitId, (ushort)ctrlHbAddress, hb).IsOk)
            {
                hbChanges += firstHb >= 0 && hb[0] != firstHb ? 1 : 0;
                firstHb = hb[0];
            }

            Thread.Sleep(50);
        }

        if (!double.IsNaN(foreignW))
        {
            Add("WSet read-back", CheckVerdict.Fail,
                $"wrote {F(_lastWrittenW)} W, read back {F(foreignW)} W without writing: another Modbus master writes this device — exactly one writer may (stop it, or fence it)");
        }
        else if (hbChanges > 0)
        {
            Add("WSet read-back", CheckVerdict.Fail, $"802 CtrlHb changed {hbChanges}× while Edge did not write it: another controller holds this device");
        }
        else
        {
            Add("WSet read-back", CheckVerdict.Pass, $"{F(_lastWrittenW)} W held over {reads} reads in 2 s: no other writer");
            return true;
        }

        return false;
    }

    private StepResult StepResponse(double baseW, double stepW)
    {
        long writeStart = Stopwatch.GetTimestamp();
        Write(baseW + stepW);
        double writeMs = Stopwatch.GetElapsedTime(writeStart).TotalMilliseconds;
        double t0 = Stopwatch.GetElapsedTime(writeStart).TotalSeconds;
        List<(double T, double W)> samples = Record(writeStart, TimeSpan.FromSeconds(3), w => w >= baseW + (0.97 * stepW));
        double t10 = Crossing(samples, baseW + (0.1 * stepW), rising: true);
        double t63 = Crossing(samples, baseW + (0.632 * stepW), rising: true);
        if (double.IsNaN(t63))
        {
            return new StepResult(false, double.NaN, double.NaN, t10, t63, writeMs, t0, samples.Count > 0 ? samples[^1].W - baseW : double.NaN);
        }

        double tauS = (t63 - t10) / 0.895;
        return new StepResult(true, Math.Max(0, t10 - (0.105 * tauS)), tauS, t10, t63, writeMs, t0, double.NaN);
    }

    private void ReportStep(StepResult r, int steps, double stepW)
    {
        if (!r.Followed)
        {
            Add("step response", CheckVerdict.Fail, $"+{F(stepW)} W commanded, 701 W reached {F(r.ReachedW)} W of it in 3 s: the device does not follow");
            return;
        }

        string of = steps > 1 ? $"; the quickest of {steps} steps" : "";
        Add("command latency", r.DeadS <= 0.1 ? CheckVerdict.Pass : r.DeadS <= 0.5 ? CheckVerdict.Warn : CheckVerdict.Fail,
            $"{F(r.DeadS * 1000)} ms dead time from the write to the first movement of 701 W (write transaction {F(r.WriteMs)} ms; t0 {F(r.T0S * 1000)} ms{of})");
        Add("time constant", r.TauS <= 0.2 ? CheckVerdict.Pass : r.TauS <= 1 ? CheckVerdict.Warn : CheckVerdict.Fail,
            $"τ {F(r.TauS * 1000)} ms (10 % at {F(r.T10S * 1000)} ms, 63 % at {F(r.T63S * 1000)} ms of a +{F(stepW)} W step{of})");
    }

    /// <summary>One step's measurement: whether 701 W followed, dead time and τ (s), the crossings, the write's own time.</summary>
    private readonly record struct StepResult(bool Followed, double DeadS, double TauS, double T10S, double T63S, double WriteMs, double T0S, double ReachedW);

    private void RampBehaviour(double baseW, double stepW)
    {
        // WRmp in % of WMax per second, such that the step takes about one second (at least 1 %/s).
        double pct = Math.Max(1, Math.Round(stepW / _ratedW * 100));
        double rampWPerS = pct / 100 * _ratedW;
        double expectedS = stepW / rampWPerS;
        if (!Check(_profile.Configure(_client, _endpoint.UnitId, pct, 30, _ratedW, baseW), "programming WRmp"))
        {
            return;
        }

        _lastWrittenW = baseW;
        long up = Stopwatch.GetTimestamp();
        Write(baseW + stepW);
        List<(double T, double W)> rise = Record(up, TimeSpan.FromSeconds((expectedS * 3) + 2), w => w >= baseW + (0.95 * stepW));
        double riseS = Crossing(rise, baseW + (0.9 * stepW), true) - Crossing(rise, baseW + (0.1 * stepW), true);
        long down = Stopwatch.GetTimestamp();
        Write(baseW);
        List<(double T, double W)> fall = Record(down, TimeSpan.FromSeconds((expectedS * 3) + 2), w => w <= baseW + (0.05 * stepW));
        double fallS = Crossing(fall, baseW + (0.1 * stepW), false) - Crossing(fall, baseW + (0.9 * stepW), false);
        double minS = 0.5 * 0.8 * expectedS; // half the time 80 % of the step takes at the programmed ramp
        string programmed = $"WRmp {F(pct)} %/s = {F(rampWPerS)} W/s: 10→90 % of {F(stepW)} W should take {F(0.8 * expectedS)} s";
        Add("increases ramped (WRmp)", double.IsNaN(riseS) ? CheckVerdict.Fail : riseS >= minS ? CheckVerdict.Pass : CheckVerdict.Warn, double.IsNaN(riseS)
            ? $"{programmed}; the device did not reach it"
            : riseS >= minS ? $"{programmed}, took {F(riseS)} s" : $"{programmed}, took {F(riseS)} s: WRmp is ignored — Edge's own ramp is the only one");
        Add("decreases ramped", double.IsNaN(fallS) ? CheckVerdict.Fail : fallS >= minS ? CheckVerdict.Pass : CheckVerdict.Warn, double.IsNaN(fallS)
            ? "the device did not come back down"
            : fallS >= minS
                ? $"a −{F(stepW)} W change took {F(fallS)} s (10→90 %): the device ramps decreases too"
                : $"a −{F(stepW)} W change took {F(fallS)} s (10→90 %): decreases are not ramped (SunSpec WRmp covers increases) — Edge ramps every decrease itself, and on its death only the guard does");
    }

    private void Revert(double baseW, double stepW, double revertTimeoutS)
    {
        if (Math.Abs(baseW) > stepW)
        {
            Add("revert", CheckVerdict.Skip, $"the device was at {F(baseW)} W, not idle: a revert to 0 W would move more than the test step");
            return;
        }

        double pct = Math.Max(1, Math.Round(stepW / _ratedW * 100));
        double rampWPerS = pct / 100 * _ratedW;
        if (!Check(_profile.Configure(_client, _endpoint.UnitId, pct, (int)Math.Round(revertTimeoutS), _ratedW, baseW), "programming the revert"))
        {
            return;
        }

        // Rewritten while the device gets there, so its revert timer cannot expire on the way (a slow device or a
        // loaded box may take longer than WSetRvrtTms to reach the test power).
        double targetW = baseW + (0.95 * stepW);
        var approach = Stopwatch.StartNew();
        TimeSpan approachLimit = TimeSpan.FromSeconds((stepW / rampWPerS * 3) + 5);
        TimeSpan refresh = TimeSpan.FromSeconds(Math.Max(0.1, revertTimeoutS / 3));
        double startW = double.NaN;
        while (approach.Elapsed < approachLimit && !(startW >= targetW))
        {
            Write(baseW + stepW);
            WaitUntil(w => w >= targetW, refresh);
            startW = MeasuredW();
        }

        if (!(startW - baseW >= 0.5 * stepW))
        {
            Add("revert", CheckVerdict.Fail, $"the device did not reach the test power (+{F(startW - baseW)} of +{F(stepW)} W from {F(baseW)} W in {F(approach.Elapsed.TotalSeconds)} s): revert not measured");
            return;
        }

        long last = Stopwatch.GetTimestamp();
        Write(baseW + stepW); // the last write: the revert timer runs from here
        List<(double T, double W)> samples = Record(last, TimeSpan.FromSeconds(revertTimeoutS + 5), w => Math.Abs(w) <= 0.05 * startW);
        double t90 = Crossing(samples, 0.9 * startW, false);
        double t10 = Crossing(samples, 0.1 * startW, false);
        if (double.IsNaN(t10))
        {
            Add("revert", CheckVerdict.Warn,
                $"holds: still {F(samples.Count > 0 ? samples[^1].W : double.NaN)} W {F(revertTimeoutS + 5)} s after the last write with WSetRvrtTms = {F(revertTimeoutS)} s — the device ignores its revert timer; when Edge and the guard both die it keeps the last setpoint until its SoC limit");
            return;
        }

        double fallS = t10 - t90;
        double fallWPerS = 0.8 * startW / Math.Max(fallS, 1e-3);
        string when = $"began {F(t90)} s after the last write (WSetRvrtTms {F(revertTimeoutS)} s)";
        if (fallS < 0.25 || fallWPerS > 5 * rampWPerS)
        {
            Add("revert", CheckVerdict.Warn,
                $"steps: {F(startW)} W → 0 in {F(fallS * 1000)} ms, {when} — a dead Edge and guard hand the grid a step of the whole battery power; keep WSetRvrt tracking the setpoint and the guard running");
        }
        else
        {
            Add("revert", CheckVerdict.Pass, $"ramps: {F(startW)} W → 0 at {F(fallWPerS)} W/s (WRmp {F(rampWPerS)} W/s), {when}");
        }
    }

    /// <summary>Leaves the device as found: back to the start power, then the 704 control registers as read.</summary>
    private void Restore(ushort[] saved, double baseW)
    {
        if (!_client.IsConnected && !_client.TryConnect())
        {
            Add("restore", CheckVerdict.Fail, "link lost: the device keeps the test settings until its revert timer expires");
            return;
        }

        Write(baseW);
        WaitUntil(w => Math.Abs(w - baseW) < Math.Max(1, 0.01 * _ratedW), TimeSpan.FromSeconds(5));
        SunSpecModelInstance m = _control!.Model;
        int from = _control.Definition["WSetEna"].Offset, to = _control.Definition["WSetRvrtTms"].Offset + 2;
        int rmp = _control.Definition["WRmp"].Offset;
        bool ok = _client.WriteMultipleRegisters(_endpoint.UnitId, m.AddressOf("WRmp"), saved.AsSpan(rmp, 2)).IsOk
            && _client.WriteMultipleRegisters(_endpoint.UnitId, m.AddressOf("WSetEna"), saved.AsSpan(from, to - from)).IsOk;
        if (!ok)
        {
            Add("restore", CheckVerdict.Warn, "the 704 control registers could not all be written back (edge run programs them again at start)");
        }
    }

    private void Write(double w)
    {
        if (Check(_profile.WriteSetpoint(_client, _endpoint.UnitId, w), "writing WSet"))
        {
            _lastWrittenW = w;
        }
    }

    private double MeasuredW() =>
        _measure!.Refresh(_client, _endpoint.UnitId, 0, _measureLength).IsOk && _measure.TryRead(_w!, out double w) ? w : double.NaN;

    /// <summary>Polls 701 W from <paramref name="startTicks"/> until <paramref name="done"/> holds or the time is up.</summary>
    private List<(double T, double W)> Record(long startTicks, TimeSpan limit, Func<double, bool> done)
    {
        var samples = new List<(double, double)>(4096);
        int doneFor = 0;
        while (Stopwatch.GetElapsedTime(startTicks) < limit)
        {
            double w = MeasuredW();
            double t = Stopwatch.GetElapsedTime(startTicks).TotalSeconds;
            if (double.IsFinite(w))
            {
                samples.Add((t, w));
                doneFor = done(w) ? doneFor + 1 : 0;
                if (doneFor >= 5)
                {
                    break;
                }
            }

            Thread.Sleep(TimeSpan.FromMilliseconds(PollSleepMs));
        }

        return samples;
    }

    private void WaitUntil(Func<double, bool> condition, TimeSpan limit) => Record(Stopwatch.GetTimestamp(), limit, condition);

    /// <summary>Time of the first sample at or beyond <paramref name="level"/> (linear between samples); NaN if never.</summary>
    private static double Crossing(List<(double T, double W)> samples, double level, bool rising)
    {
        for (int i = 0; i < samples.Count; i++)
        {
            bool beyond = rising ? samples[i].W >= level : samples[i].W <= level;
            if (!beyond)
            {
                continue;
            }

            if (i == 0)
            {
                return samples[0].T;
            }

            (double t0, double w0) = samples[i - 1];
            (double t1, double w1) = samples[i];
            return w1 == w0 ? t1 : t0 + ((level - w0) / (w1 - w0) * (t1 - t0));
        }

        return double.NaN;
    }

    private bool Check(ModbusResult r, string what)
    {
        if (r.IsOk)
        {
            return true;
        }

        Add("control", CheckVerdict.Fail, $"{what}: {r}");
        return false;
    }

    private void Add(string item, CheckVerdict verdict, string detail) => _results.Add(new CheckResult($"inverter {_endpoint.Id}: {item}", verdict, detail));

    private static string F(double v) => v.ToString(Math.Abs(v) >= 100 ? "0" : "0.##", CultureInfo.InvariantCulture);
}
