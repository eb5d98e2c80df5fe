using System.Globalization;
using System.Net;
using Edge.Core.Devices;
using Edge.Guard;
using Edge.Modbus;
using Edge.Modbus.Inverter;
using Edge.Modbus.Server;
using Edge.Rig.Tests.Infrastructure;
using Edge.Simulation.Inverter;
using Edge.Tests.Shared;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Rig.Tests.Hil;

/// <summary>
/// The guard's takeover in-process (docs/guard.md): a real <see cref="Guardian"/>, the daemon's real driver and lease,
/// and a simulated SunSpec inverter whose 701 <c>W</c> can be made to read what no working device can (as a wrong
/// scale factor or register map reports it). Found on the HIL rig (2026-12-04): with pcs2 delivering 440 W and its
/// 701 <c>W</c> reading 20000, the guard took over "at pcs2 2000 W" — the reading clamped to the rating — and
/// commanded it, stepping the device from 440 W to 1950 W in 0.3 s. An implausible reading is not what the inverter
/// delivers: the guard ramps from the daemon's last setpoint instead, and never commands more than it. And a legacy 124
/// device, commanded in % of its WChaMax, is ramped out in percent of that — not of the placeholder rating an inverter
/// without RatedPowerW has in guard-devices.json (0 % every time: a step).
/// </summary>
[Collection(DaemonCollection.Name)]
public sealed class GuardTakeoverTests(ITestOutputHelper output)
{
    private const double RatedW = 2000;
    private const double DeliveringW = 440;
    private const double RampWPerS = 200;

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public void The_guard_ramps_from_the_daemons_setpoint_when_the_inverters_reading_is_implausible()
    {
        using var rig = new Rig(output);
        rig.DischargeAt(DeliveringW);
        rig.StartGuard();
        rig.MakeTheReadingImplausible();

        string takeover = rig.KillTheDaemon();
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"pcs1 {DeliveringW:0} W"), takeover, StringComparison.Ordinal);
        Assert.Contains("implausible", takeover, StringComparison.Ordinal);

        (double maxSetpointW, double maxPowerW) = rig.WatchUntilTheGuardIsAtZero();
        Assert.True(maxSetpointW <= DeliveringW + 0.5, $"the guard commanded {maxSetpointW:0} W, more than the {DeliveringW:0} W the device delivered\n{rig.GuardLog}");
        Assert.True(maxPowerW <= DeliveringW + 10, $"the device rose to {maxPowerW:0} W from {DeliveringW:0} W\n{rig.GuardLog}");
    }

    [Fact]
    public void A_link_re_made_during_the_ramp_does_not_continue_from_an_implausible_reading()
    {
        using var rig = new Rig(output);
        rig.DischargeAt(DeliveringW);
        rig.StartGuard();
        rig.MakeTheReadingImplausible();
        rig.KillTheDaemon();

        // Part way down the ramp the link drops for a while (the guard marks it lost), then comes back: the reading at
        // the reconnect is 20 kW, which must not become the device's setpoint (clamped: 2 kW, a step up).
        Wait.Until(() => rig.Device.SetpointW < DeliveringW - 100, Timeout, "the guard's ramp under way", () => rig.GuardLog);
        double beforeW = rig.Device.SetpointW;
        int lost = rig.GuardLinesWith("pcs1: not reachable yet") + rig.GuardLinesWith("pcs1: link lost");
        rig.Server.RefuseConnections = true;
        rig.Server.DropConnections();
        Wait.Until(() => rig.GuardLinesWith("pcs1: not reachable yet") + rig.GuardLinesWith("pcs1: link lost") > lost, Timeout,
            "the guard seeing the link lost", () => rig.GuardLog);
        rig.Server.RefuseConnections = false;
        rig.WaitForGuardLine("pcs1: reconnected", "the guard re-making the link");

        (double maxSetpointW, double maxPowerW) = rig.WatchUntilTheGuardIsAtZero();
        Assert.True(maxSetpointW <= beforeW + 0.5, $"after the reconnect the guard commanded {maxSetpointW:0} W (it was at {beforeW:0} W)\n{rig.GuardLog}");
        Assert.True(maxPowerW <= DeliveringW + 10, $"the device rose to {maxPowerW:0} W\n{rig.GuardLog}");
    }

    [Fact]
    public void A_legacy_124_device_without_a_configured_rating_is_ramped_in_percent_of_its_own_WChaMax()
    {
        // An inverter without RatedPowerW is written to guard-devices.json with double.MaxValue as its rating (RigFactory).
        // Model 124 is commanded in % of WChaMax: against that placeholder every percentage was 0 %, so the guard's first
        // write stepped the device from 440 W to 0 W instead of ramping it out at 200 W/s.
        using var rig = new Rig(output, controlModel: 124, guardRatedW: double.MaxValue);
        rig.DischargeAt(DeliveringW);
        rig.StartGuard();

        string takeover = rig.KillTheDaemon();
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"pcs1 {DeliveringW:0} W"), takeover, StringComparison.Ordinal);
        // From the takeover's own time stamp (the guard's log, UTC): a test thread that sees the line late cannot
        // shorten the time it measures.
        DateTime takenAt = DateTime.Parse(takeover[..takeover.IndexOf(' ', StringComparison.Ordinal)], CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
        var samples = new List<(double S, double W)>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        double halfAfterS = double.NaN;
        Wait.Until(() =>
        {
            double w = rig.Device.PowerW;
            samples.Add((clock.Elapsed.TotalSeconds, w));
            if (double.IsNaN(halfAfterS) && w < DeliveringW / 2)
            {
                halfAfterS = (DateTime.UtcNow - takenAt).TotalSeconds;
            }

            return rig.GuardLinesWith("all inverters at 0 W") > 0 && Math.Abs(w) < 1;
        }, Timeout, "the guard's ramp to 0 W", () => rig.GuardLog + "\n" + rig.Device);

        // At 200 W/s, half of 440 W is gone after 1.1 s; a step is gone within a few ms.
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"half of the power gone {halfAfterS:0.###} s after the takeover"));
        Assert.True(halfAfterS >= 0.7, string.Create(CultureInfo.InvariantCulture,
            $"the device lost half its {DeliveringW:0} W {halfAfterS:0.###} s after the takeover: a step, not a ramp at {RampWPerS:0} W/s\n{rig.GuardLog}"));
        double largestMoveW = 0;
        for (int i = 0; i < samples.Count; i++)
        {
            for (int j = i + 1; j < samples.Count && samples[j].S - samples[i].S <= 1; j++)
            {
                largestMoveW = Math.Max(largestMoveW, Math.Abs(samples[j].W - samples[i].W));
            }
        }

        Assert.True(largestMoveW <= RampWPerS + 50, string.Create(CultureInfo.InvariantCulture, $"the device moved {largestMoveW:0} W within 1 s (ramp {RampWPerS:0} W/s)\n{rig.GuardLog}"));
    }

    [Fact]
    public void A_legacy_124_device_without_a_usable_WChaMax_is_not_commanded_by_percentage_and_the_guard_says_why()
    {
        using var rig = new Rig(output, controlModel: 124, guardRatedW: double.MaxValue);
        rig.Poke(124, "WChaMax", 0);
        rig.StartGuard(waitFor: "pcs1: not commanded");
        string line = rig.WaitForGuardLine("pcs1: not commanded", "the guard's reason");
        Assert.Contains("124 WChaMax", line, StringComparison.Ordinal);
        Assert.Equal(0, rig.GuardLinesWith("pcs1: connected"));
    }

    /// <summary>One simulated inverter behind a register-poking server, the daemon's lease and driver, and the guard.</summary>
    private sealed class Rig : IDisposable
    {
        private readonly ITestOutputHelper _output;
        private readonly TempDir _state = new();
        private readonly SimulatedInverterHost _host;
        private readonly PokedRegisters _poked;
        private readonly DaemonLease _lease;
        private readonly SunSpecInverter _driver;
        private readonly GuardLog _guardLog = new();
        private readonly CancellationTokenSource _stopGuard = new();
        private readonly CancellationTokenSource _stopLoop = new();
        private Thread? _loop;
        private Thread? _guardThread;
        private Guardian? _guard;
        private double _setpointW;

        /// <param name="output">The test's output.</param>
        /// <param name="controlModel">The simulated device's control model: 704, or the legacy 124.</param>
        /// <param name="guardRatedW">The rating guard-devices.json gives the guard (double.MaxValue: none configured).</param>
        public Rig(ITestOutputHelper output, int controlModel = 704, double guardRatedW = RatedW)
        {
            _output = output;
            _host = new SimulatedInverterHost(
                new SimulatedPcsOptions { RatedPowerW = RatedW, LatencyMs = 0, TimeConstantMs = 10, DefaultRampPctPerS = 100, ControlModel = controlModel },
                IPAddress.Loopback, 0);
            _poked = new PokedRegisters(_host.Simulator);
            Server = new ModbusTcpServer(_poked, IPAddress.Loopback, 0);
            _lease = DaemonLease.Take(_state.Path, NullLogger.Instance);
            _lease.PublishDevices([new GuardDevice("pcs1", "127.0.0.1", Server.Port, 1, guardRatedW, false)], _state.Path);
            _lease.RampWPerS = RampWPerS;
            _driver = new SunSpecInverter(new SunSpecInverterOptions
            {
                // A revert timeout longer than any outage here: the device never reverts on its own timer in these
                // tests, so every setpoint it has came from the guard (or the daemon).
                Id = "pcs1", Modbus = { Host = "127.0.0.1", Port = Server.Port, RequestTimeoutMs = 500 }, UnitId = 1, RevertTimeoutS = 10,
                RampPctPerS = 100, PollPeriodMs = 20, HeartbeatPeriodMs = 100, LeaseObserveMs = 200,
            }, lease: _lease);
        }

        public ModbusTcpServer Server { get; }

        public PcsSnapshot Device => _host.Simulator.Snapshot();

        public string GuardLog => _guardLog.Text;

        /// <summary>The daemon's control loop: posts the setpoint every 10 ms (each post is a beat on the board), until the device delivers it.</summary>
        public void DischargeAt(double w)
        {
            Wait.Until(() => _driver.IsOperating, Timeout, "the daemon's driver operating", () => _driver.LastError);
            Volatile.Write(ref _setpointW, w);
            _loop = new Thread(() =>
            {
                while (!_stopLoop.Token.WaitHandle.WaitOne(10))
                {
                    _driver.PostSetpoint(Volatile.Read(ref _setpointW), 0);
                }
            }) { IsBackground = true, Name = "daemon loop" };
            _loop.Start();
            Wait.Until(() => Math.Abs(Device.PowerW - w) < 1, Timeout, $"the device at {w:0} W", () => Device.ToString());
        }

        public void StartGuard(string waitFor = "pcs1: connected")
        {
            _guard = new Guardian(new GuardOptions { StateDirectory = _state.Path, TimeoutMs = 300, TickMs = 10, HoldS = 0 }, _guardLog);
            _guardThread = new Thread(() => _guard.Run(_stopGuard.Token)) { IsBackground = true, Name = "guard" };
            _guardThread.Start();
            WaitForGuardLine(waitFor, $"the guard's '{waitFor}'");
        }

        /// <summary>The device reads <paramref name="raw"/> at <paramref name="model"/>'s <paramref name="point"/> from now on.</summary>
        public void Poke(int model, string point, ushort raw) =>
            _poked.Set(_host.Simulator.Models.First(m => m.Id == model).AddressOf(point), raw);

        /// <summary>701 W (and 802 W) read 20 kW from now on, ten times the 2 kW rating; the device itself still delivers what it did.</summary>
        public void MakeTheReadingImplausible()
        {
            _poked.Set(_host.Simulator.Models.First(m => m.Id == 701).AddressOf("W"), 20_000);
            _poked.Set(_host.Simulator.Models.First(m => m.Id == 802).AddressOf("W"), 20_000);
            Wait.Until(() => _driver.TryReadState(out InverterState s) && s.Health == InverterHealth.Misconfigured, Timeout, "the daemon's driver seeing it",
                () => _driver.LastError);
            Assert.True(Math.Abs(Device.PowerW - DeliveringW) < 1, Device.ToString());
        }

        /// <summary>The loop stops posting (kill -9 of the daemon: its beat stops); returns the guard's TAKEOVER line.</summary>
        public string KillTheDaemon()
        {
            // Killed before the guard has seen it beat, the daemon is one that never started as far as the guard knows:
            // it waits the startup timeout (30 s), not the beat timeout (CI, 2026-12-05: the guard connected, the test
            // stopped the loop within the same 10 ms, and the device reverted on its own timer before the takeover).
            Wait.Until(() => _guard!.Armed, Timeout, "the guard seeing the daemon beat", () => GuardLog);
            _stopLoop.Cancel();
            _loop?.Join();
            string line = WaitForGuardLine("TAKEOVER", "the guard's takeover");
            _output.WriteLine(line);
            return line;
        }

        /// <summary>Samples the device until the guard says it is at 0 W (and the device is); the largest setpoint and power seen.</summary>
        public (double MaxSetpointW, double MaxPowerW) WatchUntilTheGuardIsAtZero()
        {
            double maxSetpointW = double.MinValue, maxPowerW = double.MinValue;
            Wait.Until(() =>
            {
                PcsSnapshot s = Device;
                maxSetpointW = Math.Max(maxSetpointW, s.SetpointEnabled ? s.SetpointW : 0);
                maxPowerW = Math.Max(maxPowerW, s.PowerW);
                return _guardLog.Contains("all inverters at 0 W") && Math.Abs(s.PowerW) < 1;
            }, Timeout, "the guard's ramp to 0 W", () => GuardLog + "\n" + Device);
            _output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"largest setpoint {maxSetpointW:0.#} W, largest power {maxPowerW:0.#} W"));
            return (maxSetpointW, maxPowerW);
        }

        public int GuardLinesWith(string text) => _guardLog.Count(text);

        public string WaitForGuardLine(string text, string what)
        {
            string? line = null;
            Wait.Until(() => (line = _guardLog.Find(text)) is not null, Timeout, what, () => GuardLog);
            return line!;
        }

        public void Dispose()
        {
            _stopLoop.Cancel();
            _loop?.Join();
            _stopGuard.Cancel();
            _guardThread?.Join();
            _output.WriteLine("--- guard\n" + GuardLog);
            _guard?.Dispose();
            _driver.Dispose();
            _lease.Dispose();
            Server.Dispose();
            _host.Dispose();
            _state.Dispose();
            _stopGuard.Dispose();
            _stopLoop.Dispose();
        }
    }

    /// <summary>The guard's log, line by line, readable from the test thread while the guard writes it.</summary>
    private sealed class GuardLog : TextWriter
    {
        private readonly Lock _lock = new();
        private readonly List<string> _lines = [];
        private readonly System.Text.StringBuilder _partial = new();

        public override System.Text.Encoding Encoding => System.Text.Encoding.UTF8;

        public string Text
        {
            get
            {
                lock (_lock)
                {
                    return string.Join('\n', _lines);
                }
            }
        }

        public override void Write(char value)
        {
            lock (_lock)
            {
                if (value == '\n')
                {
                    _lines.Add(_partial.ToString());
                    _partial.Clear();
                }
                else if (value != '\r')
                {
                    _partial.Append(value);
                }
            }
        }

        public override void WriteLine(string? value)
        {
            lock (_lock)
            {
                _lines.Add(_partial + value);
                _partial.Clear();
            }
        }

        public bool Contains(string text) => Find(text) is not null;

        public int Count(string text)
        {
            lock (_lock)
            {
                return _lines.Count(l => l.Contains(text, StringComparison.Ordinal));
            }
        }

        public string? Find(string text)
        {
            lock (_lock)
            {
                return _lines.FirstOrDefault(l => l.Contains(text, StringComparison.Ordinal));
            }
        }
    }
}
