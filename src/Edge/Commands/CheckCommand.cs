using System.Diagnostics;
using System.Globalization;
using Edge.Check;
using Edge.Cli;
using Edge.Core.Devices;
using Edge.Daemon;
using Edge.Daemon.Rigs;
using Edge.Devices.Gpio;
using Edge.Devices.Sensors;
using Edge.Modbus.Inverter;
using Edge.Mqtt.Client;
using Edge.Runtime.Timing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Edge.Core.Timing;

namespace Edge.Commands;

/// <summary>
/// <c>edge check</c> (docs/DESIGN.md §6): commissioning. Builds the rig exactly as <c>edge run</c> would, then checks that every
/// sensor, inverter, GPIO line, the site meter and the broker answers, and that signs agree: a small test discharge,
/// ramped in and out, must raise the measured battery power and lower the site meter's grid power. Prints a pass/fail
/// table a site engineer can read; exit 0 when everything passed, 1 otherwise, 2 for a configuration error.
/// Then each SunSpec inverter is measured (issue 11, <see cref="InverterProbe"/>): latency, time constant, ramped
/// increases and decreases, what its revert does, a WSet read-back that finds a foreign writer, model 124's random
/// delay. <c>--inverter HOST:PORT</c> measures given devices without a rig.
/// </summary>
public sealed class CheckCommand : ICommand
{
    /// <inheritdoc />
    public string Name => "check";

    /// <inheritdoc />
    public string Summary => "commissioning: every device and the broker answers, signs agree (pass/fail table)";

    /// <inheritdoc />
    public IReadOnlySet<string> Switches { get; } = new HashSet<string>(StringComparer.Ordinal) { "no-discharge", "no-measure" };

    /// <inheritdoc />
    public string Usage => """
        edge check [--rig sim|hil|FILE.json] [--config FILE.json] [--test-power-w W] [--no-discharge] [--no-measure]
                   [--step-w W] [Section:Key=value …]
        edge check --inverter HOST:PORT[/UNIT][,HOST:PORT…] [--step-w W] [--ramp-w-per-s R]

        Builds the rig as 'edge run' would and checks, one line each: the rig file; every rack sensor (initialised,
        healthy, plausible power); every GPIO line (E-stop readable and released, enable relay and status LED
        writable); every inverter (answers, healthy, SoC and limits); the site meter; the MQTT broker (CONNECT/CONNACK).
        Then a sign test: a small discharge (--test-power-w, default 5 % of the smallest inverter's rating), ramped in
        and out over two seconds, must raise the measured battery power and lower the site meter's grid power by about
        as much. --no-discharge skips it (e.g. when the site may not see any battery power now).
        Then each SunSpec inverter is measured over its own connection (Edge's driver stopped), with small test steps
        (--step-w, default 2 % of its rating, at most one second of Controller:RampUpWPerS when that is configured):
        command latency and time constant, whether WRmp ramps increases and decreases, what its revert does when a
        2 s WSetRvrtTms expires (hold / ramp / step), a read-back of WSet that finds another Modbus writer, and model
        124's InOutWRte_WinTms (a random delay: FAIL). About 15 s per inverter; --no-measure skips it.
        --inverter measures only the given devices (no rig, no other checks).
        Exit codes: 0 all passed, 1 something failed, 2 configuration error.
        """;

    /// <inheritdoc />
    public int Run(CommandArgs args, CommandContext context)
    {
        string? rig = args.String("rig");
        string? configPath = args.String("config");
        double? testPowerW = args.Double("test-power-w", 1, 1e9);
        bool noDischarge = args.Has("no-discharge");
        bool noMeasure = args.Has("no-measure");
        double? stepW = args.Double("step-w", 0.1, 1e7);
        double? rampWPerS = args.Double("ramp-w-per-s", 0.001, 1e9);
        string? endpoints = args.String("inverter");
        if (endpoints is not null)
        {
            args.ThrowOnUnused();
            return MeasureOnly(endpoints, new ProbeSettings(stepW, rampWPerS), context);
        }

        args.ThrowOnUnused();
        Dictionary<string, string?> overrides = RunCommand.Overrides(args.Positional, rig);
        IConfigurationRoot configuration = RunCommand.BuildConfiguration(configPath, overrides);
        var services = new ServiceCollection();
        RunCommand.AddDaemonOptions(services, configuration);
        using ServiceProvider provider = services.BuildServiceProvider();
        EdgeOptions edge;
        SimOptions sim;
        MqttSettings mqtt;
        try
        {
            edge = provider.GetRequiredService<IOptions<EdgeOptions>>().Value;
            sim = provider.GetRequiredService<IOptions<SimOptions>>().Value;
            mqtt = provider.GetRequiredService<IOptions<MqttSettings>>().Value;
        }
        catch (OptionsValidationException e)
        {
            throw new UsageException("invalid configuration:" + Environment.NewLine + "  " + string.Join(Environment.NewLine + "  ", e.Failures), e);
        }
        catch (InvalidOperationException e)
        {
            throw new UsageException("invalid configuration: " + e.Message, e);
        }

        var results = new List<CheckResult>();
        IMonotonicClock clock = MonotonicClock.Instance;
        BuiltRig built;
        try
        {
            built = RigFactory.Build(edge, sim, double.IsNaN(sim.InitialSocPct) ? 50 : sim.InitialSocPct, clock);
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            results.Add(new CheckResult("rig", CheckVerdict.Fail, e.Message));
            Print(context, results);
            return ExitCodes.Failed;
        }

        using (built)
        {
            results.Add(new CheckResult("rig", CheckVerdict.Pass, string.Join("; ", built.Notes)));
            CheckSensors(built, clock, results, context);
            CheckGpio(built, results);
            CheckInverters(built, results, context);
            CheckSiteMeter(built, results);
            CheckBroker(edge, mqtt, results);
            if (noDischarge)
            {
                results.Add(new CheckResult("sign test", CheckVerdict.Skip, "--no-discharge"));
            }
            else
            {
                SignTest(built, testPowerW, results, context);
            }

            if (noMeasure)
            {
                results.Add(new CheckResult("inverter measurements", CheckVerdict.Skip, "--no-measure"));
            }
            else
            {
                double? configuredRamp = double.TryParse(configuration["Controller:RampUpWPerS"], NumberStyles.Float, CultureInfo.InvariantCulture, out double r) ? r : null;
                MeasureInverters(built, new ProbeSettings(stepW, rampWPerS ?? configuredRamp), results, context);
            }
        }

        Print(context, results);
        return results.Any(r => r.Verdict == CheckVerdict.Fail) ? ExitCodes.Failed : ExitCodes.Ok;
    }

    private static void CheckSensors(BuiltRig rig, IMonotonicClock clock, List<CheckResult> results, CommandContext context)
    {
        IReadOnlyList<string> failures = rig.Devices.InitializeAll();
        rig.Samplers.SampleOnce(clock.NowNs);
        rig.Samplers.Start();
        context.Error.WriteLine("edge check: sampling the sensors for 1 s …");
        Thread.Sleep(1000);
        foreach (ShuntPowerSensor s in rig.Devices.Sensors)
        {
            string? initFailure = failures.FirstOrDefault(f => f.StartsWith(s.Id + ":", StringComparison.Ordinal));
            if (initFailure is not null)
            {
                results.Add(new CheckResult($"sensor {s.Id}", CheckVerdict.Fail, initFailure));
                continue;
            }

            bool read = s.TryRead(out PowerReading r);
            results.Add(!read
                ? new CheckResult($"sensor {s.Id}", CheckVerdict.Fail, "no reading")
                : r.IsUsable
                    ? new CheckResult($"sensor {s.Id}", CheckVerdict.Pass, Invariant($"{r.PowerW:0.0} W, {s.Monitor.GetType().Name.Replace("Driver", "", StringComparison.Ordinal)}"))
                    : new CheckResult($"sensor {s.Id}", CheckVerdict.Fail, $"{r.Health}: {s.HealthReason}"));
        }

        foreach (TemperatureSensor t in rig.Devices.TemperatureSensors)
        {
            string? initFailure = failures.FirstOrDefault(f => f.StartsWith(t.Id + ":", StringComparison.Ordinal));
            bool read = t.TryRead(out TemperatureReading r);
            results.Add(initFailure is not null
                ? new CheckResult($"thermometer {t.Id}", CheckVerdict.Fail, initFailure)
                : !read
                    ? new CheckResult($"thermometer {t.Id}", CheckVerdict.Fail, "no reading")
                    : r.Health != SensorHealth.Ok
                        ? new CheckResult($"thermometer {t.Id}", CheckVerdict.Fail, $"{r.Health}: {t.HealthTracker.Reason}")
                        : r.High || r.Low
                            ? new CheckResult($"thermometer {t.Id}", CheckVerdict.Warn, Invariant($"{r.TemperatureC:0.0} °C: {(r.High ? "at or above the high" : "at or below the low")} alarm threshold"))
                            : new CheckResult($"thermometer {t.Id}", CheckVerdict.Pass, Invariant($"{r.TemperatureC:0.0} °C, {t.Chip.Model}")));
        }
    }

    private static void CheckGpio(BuiltRig rig, List<CheckResult> results)
    {
        if (rig.Devices.EmergencyStop is { } estop)
        {
            results.Add(!estop.TryRead(out bool asserted)
                ? new CheckResult($"gpio {estop.Id} (E-stop)", CheckVerdict.Fail, "cannot read the line (Edge treats that as pressed)")
                : asserted
                    ? new CheckResult($"gpio {estop.Id} (E-stop)", CheckVerdict.Fail, "asserted: release the E-stop (or check the 24 V run permit wiring)")
                    : new CheckResult($"gpio {estop.Id} (E-stop)", CheckVerdict.Pass, "readable, released"));
        }
        else
        {
            results.Add(new CheckResult("gpio E-stop", CheckVerdict.Warn, "no E-stop input configured (the hard-wired chain still works; Edge cannot report it)"));
        }

        foreach (GpioDigitalOutput output in new[] { rig.Devices.InverterEnable, rig.Devices.StatusLed }.OfType<GpioDigitalOutput>())
        {
            bool ok = output.TryWrite(false) && !output.Level;
            results.Add(new CheckResult($"gpio {output.Id}", ok ? CheckVerdict.Pass : CheckVerdict.Fail, ok ? "writable (left released)" : "write failed"));
        }
    }

    private static void CheckInverters(BuiltRig rig, List<CheckResult> results, CommandContext context)
    {
        if (rig.Inverters.Count == 0)
        {
            results.Add(new CheckResult("inverters", CheckVerdict.Fail, "none configured"));
            return;
        }

        context.Error.WriteLine("edge check: waiting for the inverters (connect, lease, first poll) …");
        var wait = Stopwatch.StartNew();
        while (wait.Elapsed < TimeSpan.FromSeconds(15) && !rig.Inverters.All(i => i.TryReadState(out InverterState s) && s.IsUsable))
        {
            Thread.Sleep(50);
        }

        foreach (IBatteryInverter inverter in rig.Inverters)
        {
            if (!inverter.TryReadState(out InverterState s))
            {
                results.Add(new CheckResult($"inverter {inverter.Id}", CheckVerdict.Fail, "never answered"));
            }
            else
            {
                results.Add(new CheckResult($"inverter {inverter.Id}", s.IsUsable ? CheckVerdict.Pass : CheckVerdict.Fail,
                    Invariant($"{s.Health}: {s.MeasuredPowerW:0} W, SoC {s.SocPct:0.0} %, charge ≤ {s.AllowedChargeW:0} W, discharge ≤ {s.AllowedDischargeW:0} W, {s.CapacityWh:0} Wh{InverterPlausibilityCheck.Detail(inverter, s)}")));
            }
        }
    }

    /// <summary>
    /// Stops each Modbus inverter's driver (so the probe is the only writer: it releases the device to 0 W) and
    /// measures the device over the probe's own connection.
    /// </summary>
    private static void MeasureInverters(BuiltRig rig, ProbeSettings settings, List<CheckResult> results, CommandContext context)
    {
        foreach (IBatteryInverter inverter in rig.Inverters)
        {
            if (inverter is not ModbusInverter { Profile: SunSpecProfile } driver)
            {
                results.Add(new CheckResult($"inverter {inverter.Id}: measurements", CheckVerdict.Skip, "not a SunSpec device"));
                continue;
            }

            ModbusInverterOptions o = driver.Options;
            driver.Dispose();
            results.AddRange(Probe(new InverterEndpoint(inverter.Id, o.Modbus.Host, o.Modbus.Port, o.UnitId), settings, context));
        }
    }

    private static int MeasureOnly(string endpoints, ProbeSettings settings, CommandContext context)
    {
        var list = new List<InverterEndpoint>();
        foreach (string text in endpoints.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            try
            {
                list.Add(InverterEndpoint.Parse(text));
            }
            catch (FormatException e)
            {
                throw new UsageException($"--inverter: {e.Message}", e);
            }
        }

        if (list.Count == 0)
        {
            throw new UsageException("--inverter needs at least one HOST:PORT");
        }

        var results = new List<CheckResult>();
        foreach (InverterEndpoint e in list)
        {
            results.AddRange(Probe(e, settings, context));
        }

        Print(context, results);
        return results.Any(r => r.Verdict == CheckVerdict.Fail) ? ExitCodes.Failed : ExitCodes.Ok;
    }

    private static IReadOnlyList<CheckResult> Probe(InverterEndpoint endpoint, ProbeSettings settings, CommandContext context)
    {
        context.Error.WriteLine($"edge check: measuring inverter {endpoint.Id} at {endpoint.Host}:{endpoint.Port} (about 15 s) …");
        using var probe = new InverterProbe(endpoint, line => context.Error.WriteLine("edge check: " + line));
        return probe.Run(settings);
    }

    private static void CheckSiteMeter(BuiltRig rig, List<CheckResult> results)
    {
        if (rig.GridMeter is null)
        {
            results.Add(new CheckResult("site meter", CheckVerdict.Warn, "none configured: the controller cannot trim on measured grid power"));
            return;
        }

        results.Add(rig.GridMeter.TryRead(out PowerReading r) && r.IsUsable
            ? new CheckResult($"site meter {rig.GridMeter.Id}", CheckVerdict.Pass, Invariant($"grid {r.PowerW:0} W"))
            : new CheckResult($"site meter {rig.GridMeter.Id}", CheckVerdict.Fail, "no usable reading"));
    }

    internal static void CheckBroker(EdgeOptions edge, MqttSettings mqtt, List<CheckResult> results)
    {
        if (!mqtt.Enabled)
        {
            results.Add(new CheckResult("broker", CheckVerdict.Skip, "Mqtt:Enabled=false"));
            return;
        }

        if (string.IsNullOrEmpty(mqtt.CheckCredentials?.Username) && !string.IsNullOrEmpty(mqtt.Credentials.Username))
        {
            // One connection per account (use_username_as_clientid): connecting as the daemon would knock a running
            // daemon off the broker, and its Will would tell every subscriber it died.
            results.Add(new CheckResult($"broker {mqtt.Host}:{mqtt.Port}", CheckVerdict.Warn,
                $"not checked: set Mqtt:CheckCredentials (deploy/mosquitto/setup.sh node makes {mqtt.Credentials.Username}-check); connecting as the daemon's account {mqtt.Credentials.Username} would disconnect a running daemon"));
            return;
        }

        // Every broker of the list: a failover that does not answer is found now, not when the first one dies.
        IReadOnlyList<MqttServer> servers = mqtt.ToClientOptions("edge-check").Servers();
        foreach (MqttServer server in servers)
        {
            // A failover broker that does not answer leaves Edge running on the others: a warning, not a failure.
            CheckVerdict unreachable = server == servers[0] ? CheckVerdict.Fail : CheckVerdict.Warn;
            string role = server == servers[0] ? "" : "failover ";
            using var client = new MqttClient();
            try
            {
                var options = new MqttClientOptions
                {
                    Host = server.Host,
                    Port = server.Port,
                    ClientId = $"edge-check-{edge.Node}-{Environment.ProcessId}",
                    Credentials = string.IsNullOrEmpty(mqtt.CheckCredentials?.Username) ? mqtt.Credentials : mqtt.CheckCredentials!,
                    Tls = mqtt.Tls,
                    ConnectTimeout = TimeSpan.FromSeconds(3),
                };
                MqttClientConnectResult result = client.ConnectAsync(options).GetAwaiter().GetResult();
                results.Add(new CheckResult($"{role}broker {server}", result.ResultCode == MqttClientConnectResultCode.Success ? CheckVerdict.Pass : unreachable, $"CONNACK {result.ResultCode}"));
                client.DisconnectAsync().GetAwaiter().GetResult();
            }
            catch (Exception e) when (e is MqttConnectingFailedException or System.Net.Sockets.SocketException or IOException or TimeoutException or OperationCanceledException or InvalidOperationException)
            {
                // Where edge run would serve the port itself (the sim rig on a loopback host, Mqtt:EmbeddedBroker auto),
                // nothing listening is what a fresh box looks like, not a fault.
                bool embedded = server == servers[0] && EmbeddedBroker.Wanted(mqtt.EmbeddedBroker, edge.Rig, server.Host);
                results.Add(embedded
                    ? new CheckResult($"broker {server}", CheckVerdict.Pass, "nothing listens: edge run serves this port itself (its embedded broker, Mqtt:EmbeddedBroker)")
                    : new CheckResult($"{role}broker {server}", unreachable, e.Message));
            }
        }
    }

    /// <summary>
    /// Ramps a small discharge in over 2 s, holds it 2 s, ramps it out: measured battery power must rise and the site
    /// meter's grid power fall, each by more than half the test power (the load may move meanwhile: means are compared).
    /// </summary>
    private static void SignTest(BuiltRig rig, double? testPowerW, List<CheckResult> results, CommandContext context)
    {
        var usable = rig.Inverters.Where(i => i.TryReadState(out InverterState s) && s.IsUsable).ToList();
        if (usable.Count == 0)
        {
            results.Add(new CheckResult("sign test", CheckVerdict.Fail, "no usable inverter"));
            return;
        }

        double perInverterW = testPowerW is { } p
            ? p / usable.Count
            : usable.Min(i => i.TryReadState(out InverterState s) ? 0.05 * Math.Max(s.AllowedDischargeW, 1) : 0);
        double totalW = perInverterW * usable.Count;
        context.Error.WriteLine(Invariant($"edge check: sign test — discharging {totalW:0} W for a few seconds, ramped in and out …"));
        (double battery0, double grid0) = Average(rig, TimeSpan.FromSeconds(1));
        Ramp(usable, 0, perInverterW, TimeSpan.FromSeconds(2));
        Hold(usable, perInverterW, TimeSpan.FromSeconds(1));
        (double battery1, double grid1) = Average(rig, TimeSpan.FromSeconds(1), usable, perInverterW);
        Ramp(usable, perInverterW, 0, TimeSpan.FromSeconds(2));
        LeaveAtZero(usable);

        double batteryRiseW = battery1 - battery0;
        bool batteryOk = batteryRiseW > 0.5 * totalW;
        results.Add(new CheckResult("sign test: battery power", batteryOk ? CheckVerdict.Pass : CheckVerdict.Fail,
            Invariant($"+{totalW:0} W commanded → measured {battery0:0} → {battery1:0} W ({batteryRiseW:+0;-0} W){(batteryOk ? "" : ": the driver's sign or the wiring is inverted, or the inverter did not follow")}")));
        if (double.IsNaN(grid0))
        {
            results.Add(new CheckResult("sign test: site meter", CheckVerdict.Skip, "no site meter"));
            return;
        }

        double gridFallW = grid0 - grid1;
        bool gridOk = gridFallW > 0.5 * totalW;
        results.Add(new CheckResult("sign test: site meter", gridOk ? CheckVerdict.Pass : CheckVerdict.Fail,
            Invariant($"grid {grid0:0} → {grid1:0} W ({-gridFallW:+0;-0} W){(gridOk ? "" : ": the meter's sign (InvertSign) or its CT orientation is wrong, or the load moved")}")));
    }

    /// <summary>
    /// Ends the sign test as <c>edge run</c> ends a clean stop: 0 W is held until every inverter has acknowledged it,
    /// then each Modbus driver is stopped, which leaves its device's reversion setpoint (<c>WSetRvrt</c>) at that last
    /// setpoint, 0 W (<c>ModbusInverter.Release</c>). Left running without setpoints, a driver's device would revert —
    /// while the other inverters are measured — to a <c>WSetRvrt</c> tracked during the ramp-out (at most once a
    /// second), i.e. to tens of watts.
    /// </summary>
    private static void LeaveAtZero(List<IBatteryInverter> inverters)
    {
        // Every driver writes a posted setpoint at once (its worker wakes on the post); holding 0 W for half a second
        // lets each write it even through a slow poll or heartbeat transaction, so the release below leaves 0 W.
        Hold(inverters, 0, TimeSpan.FromMilliseconds(500));
        foreach (ModbusInverter driver in inverters.OfType<ModbusInverter>())
        {
            driver.Dispose();
        }
    }

    private static void Ramp(List<IBatteryInverter> inverters, double fromW, double toW, TimeSpan duration)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < duration)
        {
            double f = sw.Elapsed / duration;
            Post(inverters, fromW + ((toW - fromW) * f));
            Thread.Sleep(20);
        }

        Post(inverters, toW);
    }

    private static void Hold(List<IBatteryInverter> inverters, double w, TimeSpan duration)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < duration)
        {
            Post(inverters, w);
            Thread.Sleep(20);
        }
    }

    private static void Post(List<IBatteryInverter> inverters, double w)
    {
        long now = MonotonicClock.Instance.NowNs;
        foreach (IBatteryInverter i in inverters)
        {
            i.PostSetpoint(w, now);
        }
    }

    private static (double BatteryW, double GridW) Average(BuiltRig rig, TimeSpan duration, List<IBatteryInverter>? holding = null, double holdW = 0)
    {
        double battery = 0, grid = 0;
        int n = 0, g = 0;
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < duration)
        {
            if (holding is not null)
            {
                Post(holding, holdW);
            }

            InverterAggregate a = InverterAggregate.Of(rig.Inverters.Select(i => i.TryReadState(out InverterState s) ? s : InverterState.Missing).ToArray());
            battery += a.MeasuredPowerW;
            n++;
            if (rig.GridMeter is not null && rig.GridMeter.TryRead(out PowerReading r) && r.IsUsable)
            {
                grid += r.PowerW;
                g++;
            }

            Thread.Sleep(20);
        }

        return (battery / Math.Max(1, n), g == 0 ? double.NaN : grid / g);
    }

    private static void Print(CommandContext context, List<CheckResult> results)
    {
        int width = Math.Max(10, results.Max(r => r.Item.Length));
        context.Out.WriteLine();
        context.Out.WriteLine($"{"check".PadRight(width)}  result  detail");
        foreach (CheckResult r in results)
        {
            string verdict = r.Verdict switch { CheckVerdict.Pass => "PASS", CheckVerdict.Warn => "WARN", CheckVerdict.Fail => "FAIL", _ => "skip" };
            context.Out.WriteLine($"{r.Item.PadRight(width)}  {verdict,-6}  {r.Detail}");
        }

        int failed = results.Count(r => r.Verdict == CheckVerdict.Fail);
        context.Out.WriteLine();
        context.Out.WriteLine(failed == 0 ? $"all {results.Count} checks passed (warnings: {results.Count(r => r.Verdict == CheckVerdict.Warn)})" : $"{failed} of {results.Count} checks FAILED");
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
