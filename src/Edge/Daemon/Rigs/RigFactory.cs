using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Edge.Core;
using Edge.Core.Devices;
using Edge.Devices.Rig;
using Edge.Guard;
using Edge.Modbus.Inverter;
using Edge.Modbus.Meters;
using Edge.Runtime.Timing;
using Edge.Simulation.Agents;
using Edge.Simulation.Inverter;
using Edge.Simulation.Profiles;
using Edge.Core.Timing;
using Edge.Simulation.Sensors;

namespace Edge.Daemon.Rigs;

/// <summary>
/// Builds the rig named by <c>Edge:Rig</c> (docs/DESIGN.md §6, issue 7):
/// <list type="bullet">
/// <item><c>sim</c> — everything in-process: the AI-training load drives eight register-level simulated INA226
/// (hardware/rigs/sim-8x-ina226.json, embedded) read by the real drivers; simulated SunSpec inverters run as Modbus
/// TCP servers on loopback, commanded by the real SunSpec driver; a simulated site meter closes the loop.</item>
/// <item><c>hil</c> — the same sensors, but each inverter is a separate <c>edge sim inverter</c> process reached over
/// a real socket (as a hardware-in-the-loop bench would wire real PCS); those processes die with the daemon (their
/// standard input is a pipe from it: its end, even by SIGKILL, ends them). With <c>Sim:InverterEndpoints</c> the rig
/// attaches to inverters that already run (a bench's PCS, simulators a harness started) and that outlive it.</item>
/// <item>a rig file — real I²C sensors and GPIO lines from the file, SunSpec inverters and a Modbus site meter from
/// its <c>inverters</c> and <c>meters</c> entries.</item>
/// </list>
/// </summary>
internal static class RigFactory
{
    /// <summary>The embedded simulated rig's name.</summary>
    public const string SimRigResource = "Edge.rigs.sim-8x-ina226.json";

    /// <summary>Loads and checks the rig definition without opening any device (for option validation).</summary>
    public static RigDefinition LoadDefinition(string rig)
    {
        if (rig is "sim" or "hil")
        {
            using Stream s = typeof(RigFactory).Assembly.GetManifestResourceStream(SimRigResource)
                ?? throw new InvalidOperationException($"The embedded rig {SimRigResource} is missing from the build.");
            using var reader = new StreamReader(s);
            return RigLoader.Parse(reader.ReadToEnd(), "sim-8x-ina226.json (embedded)", EntryRules.Instance);
        }

        if (!File.Exists(rig) && !Directory.Exists(rig) && Spelling.Closest(rig, ["sim", "hil"]) is { } close
            && !rig.Contains('/', StringComparison.Ordinal) && !rig.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
        {
            throw new RigException(rig, [new RigError("Edge:Rig", $"there is no built-in rig \"{rig}\" and no such file: did you mean \"{close}\"? (--rig takes sim, hil or the path of a rig file)")]);
        }

        // A rig file runs on LinuxRigBackend: simulated buses are refused now, not when the daemon opens them.
        return RigLoader.Load(rig, EntryRules.Instance, hardware: true);
    }

    /// <summary>Validates <c>Edge:Rig</c>: the rig file and its inverter and meter entries. Errors name JSON paths.</summary>
    public static IReadOnlyList<OptionError> Validate(string rig)
    {
        try
        {
            _ = LoadDefinition(rig);
            return [];
        }
        catch (RigException e)
        {
            return e.Errors.Count == 0
                ? [new OptionError("Edge:Rig", rig, e.Message)]
                : e.Errors.Select(x => x.Path is "Edge:Rig" or "$" && x.Value is null
                    ? new OptionError("Edge:Rig", rig, x.Message)
                    : new OptionError($"Edge:Rig {rig}: {x.Path}", x.Value ?? "(missing)", x.Message)).ToList();
        }
    }

    /// <summary>Builds the rig. Throws <see cref="InvalidOperationException"/> when a device cannot be opened.</summary>
    /// <param name="edge">The daemon's options (rig, state directory).</param>
    /// <param name="sim">The simulated rig's options.</param>
    /// <param name="initialSocPct">SoC of simulated batteries at start, %.</param>
    /// <param name="clock">The loop clock.</param>
    /// <param name="lease">The daemon's ownership of the inverters (docs/guard.md), or null (no guard protocol).</param>
    /// <param name="simAgents">Sim rig: its agents will run, so their devices (<see cref="SimAgents.AddDevices"/>) are part of the site.</param>
    public static BuiltRig Build(EdgeOptions edge, SimOptions sim, double initialSocPct, IMonotonicClock clock, DaemonLease? lease = null, bool simAgents = false)
    {
        RigDefinition definition = LoadDefinition(edge.Rig);
        return edge.Rig is "sim" or "hil"
            ? BuildSimulated(definition, sim, edge.Rig == "hil", initialSocPct, clock, lease, edge.StateDirectory, edge.LeverFlexInLoad, simAgents)
            : BuildFromFile(definition, clock, lease, edge.StateDirectory);
    }

    /// <summary>Per-inverter rated power and energy of the simulated rig.</summary>
    public static (double PowerW, double EnergyWh) SimInverterSize(SimOptions sim, ILoadProfile profile)
    {
        double powerW = sim.InverterPowerW > 0 ? sim.InverterPowerW : Math.Ceiling(profile.PeakW / sim.Inverters);
        double energyWh = sim.InverterEnergyWh > 0 ? sim.InverterEnergyWh : Math.Ceiling(profile.PeakW * 120 / 3600 / sim.Inverters);
        return (powerW, energyWh);
    }

    private static BuiltRig BuildSimulated(RigDefinition definition, SimOptions sim, bool hil, double initialSocPct, IMonotonicClock clock,
        DaemonLease? lease, string stateDirectory, bool flexInLoad, bool simAgents)
    {
        SampledProfile generated = LoadProfiles.Create(sim.Profile);
        var profile = new ShiftedProfile(generated, clock.NowNs * 1e-9);
        // The sim rig's agents are part of the site: caps lower the racks' load, the miners draw on the grid (the hil
        // rig runs no agents; without them the site is the profile alone).
        var site = new SimulatedSiteLoad(profile, flexInLoad);
        if (!hil && simAgents)
        {
            SimAgents.AddDevices(site, sim);
        }

        var backend = new SimulatedRigBackend(definition, site, () => clock.NowNs);
        RigDevices devices = RigAssembler.Build(definition, backend);
        (double powerW, double energyWh) = SimInverterSize(sim, generated);

        var hosts = new List<SimulatedInverterHost>();
        var processes = new List<InverterProcess>();
        var inverters = new List<IBatteryInverter>();
        var disposables = new List<IDisposable>();
        IReadOnlyList<(string Host, int Port)> attached = hil ? SimOptions.ParseEndpoints(sim.InverterEndpoints) : [];
        var endpoints = new List<(string Host, int Port)>();
        for (int i = 0; i < sim.Inverters; i++)
        {
            int port;
            if (attached.Count > 0)
            {
                endpoints.Add(attached[i]);
                continue;
            }

            if (hil)
            {
                var process = InverterProcess.Start(powerW, energyWh, sim, initialSocPct);
                processes.Add(process);
                disposables.Add(process);
                port = process.Port;
            }
            else
            {
                var pcs = new SimulatedPcsOptions
                {
                    RatedPowerW = powerW,
                    EnergyWh = energyWh,
                    LatencyMs = sim.LatencyMs,
                    TimeConstantMs = sim.TimeConstantMs,
                    InitialSocPct = initialSocPct,
                    DefaultRampPctPerS = sim.InverterRampPctPerS,
                };
                var host = new SimulatedInverterHost(pcs, IPAddress.Loopback, 0);
                hosts.Add(host);
                disposables.Add(host);
                port = host.Port;
            }

            endpoints.Add(("127.0.0.1", port));
        }

        lease?.PublishDevices([.. endpoints.Select((e, i) => new GuardDevice($"pcs{i + 1}", e.Host, e.Port, 1, powerW, false))], stateDirectory);
        for (int i = 0; i < endpoints.Count; i++)
        {
            var driver = new SunSpecInverter(new SunSpecInverterOptions
            {
                Id = $"pcs{i + 1}",
                // Attached devices (a bench PCS, a third-party server) may answer slower than our own simulators.
                Modbus = { Host = endpoints[i].Host, Port = endpoints[i].Port, RequestTimeoutMs = attached.Count > 0 ? 1000 : 200 },
                UnitId = 1,
                RatedPowerW = powerW,
                CapacityWh = energyWh,
                RevertTimeoutS = 2,
                RampPctPerS = sim.InverterRampPctPerS,
                PollPeriodMs = 20,
                HeartbeatPeriodMs = 500,
                LeaseObserveMs = 750,
            }, () => clock.NowNs, lease);
            inverters.Add(driver);
            disposables.Add(driver);
        }

        SimulatedSiteMeter? meter = sim.SiteMeter && !hil
            ? new SimulatedSiteMeter(site, hosts.Select(h => h.Simulator).ToList(), sim.UnmeasuredFraction, sim.SiteMeterRateHz, clock)
            : null;
        var samplers = new RackSamplers(devices, backend, definition.SamplingPeriodMs);
        var rig = new BuiltRig
        {
            Name = hil ? "hil" : "sim",
            Definition = definition,
            Devices = devices,
            Samplers = samplers,
            Inverters = inverters,
            GridMeter = meter,
            Simulation = backend,
            SimulatedInverters = hosts,
            Profile = profile,
            Site = site,
        };
        rig.Own(backend);
        rig.Own(devices);
        foreach (IDisposable d in disposables)
        {
            rig.Own(d);
        }

        if (meter is not null)
        {
            rig.Own(meter);
        }

        rig.Own(samplers);
        rig.Notes.Add($"{definition.Sensors.Count} simulated {definition.Sensors[0].Type} sensors on {definition.Buses.Count} buses, sampled every {definition.SamplingPeriodMs} ms by one thread per bus");
        rig.Notes.Add(string.Create(CultureInfo.InvariantCulture, $"load: {generated.Description} (peak {generated.PeakW:0} W)"));
        if (site.GpuNodes.Length + site.Miners.Length > 0)
        {
            rig.Notes.Add($"{site.GpuNodes.Length} simulated GPU nodes within the racks' load, {site.Miners.Length} simulated miners on {(flexInLoad ? "the measured feeders" : "feeders of their own (the grid carries them)")}");
        }
        string where = attached.Count > 0
            ? $"attached to running inverters at {string.Join(", ", attached.Select(e => $"{e.Host}:{e.Port}"))} (they outlive Edge)"
            : hil
            ? $"as separate 'edge sim inverter' processes on ports {string.Join(", ", processes.Select(p => p.Port))}"
            : $"in-process on loopback ports {string.Join(", ", hosts.Select(h => h.Port))}";
        rig.Notes.Add(attached.Count > 0
            ? FormattableString.Invariant($"{sim.Inverters} SunSpec inverters of {powerW:0} W / {energyWh:0} Wh {where}")
            : FormattableString.Invariant(
            $"{sim.Inverters} simulated SunSpec inverters of {powerW:0} W / {energyWh:0} Wh, latency {sim.LatencyMs} ms, τ {sim.TimeConstantMs} ms, {where}"));
        rig.Notes.Add(meter is null ? "no site meter" : string.Create(CultureInfo.InvariantCulture, $"simulated site meter at {sim.SiteMeterRateHz} Hz, unmeasured load {sim.UnmeasuredFraction:P0}"));
        return rig;
    }

    private static BuiltRig BuildFromFile(RigDefinition definition, IMonotonicClock clock, DaemonLease? lease, string stateDirectory)
    {
        var backend = new LinuxRigBackend();
        RigDevices devices;
        try
        {
            devices = RigAssembler.Build(definition, backend);
        }
        catch
        {
            backend.Dispose();
            throw;
        }

        var inverters = new List<IBatteryInverter>();
        var owned = new List<IDisposable>();
        lease?.PublishDevices([.. definition.Inverters.Select(InverterEntry.GuardDevice)], stateDirectory);
        foreach (RigInverterEntry e in definition.Inverters)
        {
            ModbusInverter inverter = InverterEntry.Create(e, clock, lease);
            inverters.Add(inverter);
            owned.Add(inverter);
        }

        IPowerSensor? siteMeter = null;
        foreach (RigMeterEntry e in definition.Meters)
        {
            ModbusPowerMeter meter = MeterEntry.Create(e, clock);
            owned.Add(meter);
            siteMeter = meter; // Check() allows one site meter
        }

        var samplers = new RackSamplers(devices, null, definition.SamplingPeriodMs);
        var rig = new BuiltRig
        {
            Name = definition.Name,
            Definition = definition,
            Devices = devices,
            Samplers = samplers,
            Inverters = inverters,
            GridMeter = siteMeter,
        };
        rig.Own(backend);
        rig.Own(devices);
        foreach (IDisposable d in owned)
        {
            rig.Own(d);
        }

        rig.Own(samplers);
        rig.Notes.Add($"rig file {definition.Source}: {definition.Sensors.Count} sensors, {definition.PowerChannels.Count} binding power channels and {definition.TemperatureSensors.Count} thermometers on {definition.Buses.Count} buses, {inverters.Count} inverters, {(siteMeter is null ? "no site meter" : "site meter " + siteMeter.Id)}");
        return rig;
    }

    /// <summary>A separate <c>edge sim inverter</c> process (the hil rig).</summary>
    private sealed class InverterProcess : IDisposable
    {
        private readonly Process _process;

        private InverterProcess(Process process, int port)
        {
            _process = process;
            Port = port;
        }

        public int Port { get; }

        [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("SingleFile", "IL3000", Justification = "Asked only when edge runs as 'dotnet edge.dll'; a natively compiled edge is its own process path.")]
        public static InverterProcess Start(double powerW, double energyWh, SimOptions sim, double socPct)
        {
            string self = Environment.ProcessPath ?? "dotnet";
            var psi = new ProcessStartInfo(self)
            {
                RedirectStandardOutput = true,
                RedirectStandardInput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            if (Path.GetFileNameWithoutExtension(self) == "dotnet")
            {
                psi.ArgumentList.Add(typeof(RigFactory).Assembly.Location);
            }

            foreach (string a in new[]
            {
                "sim", "inverter", "--port", "0", "--quiet", "--exit-on-stdin-eof",
                "--power-w", F(powerW), "--energy-wh", F(energyWh), "--latency-ms", F(sim.LatencyMs), "--tau-ms", F(sim.TimeConstantMs),
                "--soc-pct", F(socPct), "--ramp-pct-per-s", F(sim.InverterRampPctPerS),
            })
            {
                psi.ArgumentList.Add(a);
            }

            Process process = Process.Start(psi) ?? throw new InvalidOperationException("cannot start 'edge sim inverter'");
            // The readiness line: "listening on 127.0.0.1:PORT (…)".
            var ready = process.StandardOutput.ReadLineAsync();
            if (!ready.Wait(TimeSpan.FromSeconds(20)) || ready.Result is not { } line || !line.StartsWith("listening on ", StringComparison.Ordinal))
            {
                string err = process.HasExited ? process.StandardError.ReadToEnd() : "no readiness line within 20 s";
                process.Kill(true);
                throw new InvalidOperationException($"'edge sim inverter' did not start: {err}");
            }

            string endpoint = line["listening on ".Length..].Split(' ')[0];
            int port = int.Parse(endpoint[(endpoint.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture);
            _ = process.StandardOutput.ReadToEndAsync(); // keep draining
            return new InverterProcess(process, port);
        }

        public void Dispose()
        {
            try
            {
                if (!_process.HasExited)
                {
                    _process.StandardInput.Close(); // ends its control-line reader
                    _process.Kill(true);
                    _process.WaitForExit(5000);
                }
            }
            catch (InvalidOperationException)
            {
            }

            _process.Dispose();
        }

        private static string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);
    }

    /// <summary>The drivers' rules for the rig file's inverter and meter entries, applied by the loader's third pass.</summary>
    private sealed class EntryRules : IRigEntryRules
    {
        public static readonly EntryRules Instance = new();

        public IEnumerable<RigError> Check(RigInverterEntry entry) => InverterEntry.Check(entry);

        public IEnumerable<RigError> Check(RigMeterEntry entry) => MeterEntry.Check(entry);

        /// <summary>A driver option's fault at its rig-file path: <c>$.inverters[0]:RevertTimeoutS</c> → <c>$.inverters[0].revertTimeoutS</c>.</summary>
        public static RigError Error(OptionError x)
        {
            string[] parts = x.Path.Split(':');
            var path = new System.Text.StringBuilder(parts[0]);
            foreach (string part in parts.Skip(1))
            {
                if (part != "Modbus" && part.Length > 0)
                {
                    path.Append('.').Append(char.ToLowerInvariant(part[0])).Append(part.AsSpan(1));
                }
            }

            return new RigError(path.ToString(), "is invalid: " + x.Allowed, x.Value);
        }
    }

    /// <summary>An inverter entry of a rig file, typed and range-checked by the loader; here only the driver's own rules.</summary>
    private static class InverterEntry
    {
        public static IEnumerable<RigError> Check(RigInverterEntry e) => Options(e).Validate(e.Path).Select(EntryRules.Error);

        public static ModbusInverter Create(RigInverterEntry e, IMonotonicClock clock, DaemonLease? lease) => new SunSpecInverter(Options(e), () => clock.NowNs, lease);

        public static GuardDevice GuardDevice(RigInverterEntry e)
        {
            SunSpecInverterOptions o = Options(e);
            return new GuardDevice(o.Id, o.Modbus.Host, o.Modbus.Port, o.UnitId, o.RatedPowerW > 0 ? o.RatedPowerW : double.MaxValue, o.InvertSign);
        }

        private static SunSpecInverterOptions Options(RigInverterEntry e) => new()
        {
            Id = e.Id,
            Modbus = { Host = e.Host, Port = e.Port ?? 502 },
            UnitId = checked((byte)(e.UnitId ?? 1)),
            RatedPowerW = e.RatedPowerW ?? 0,
            CapacityWh = e.CapacityWh ?? 0,
            RevertTimeoutS = e.RevertTimeoutS ?? 2,
            RampPctPerS = e.RampPctPerS ?? 100,
            RevertTrackDeadbandW = e.RevertTrackDeadbandW ?? 0,
            InvertSign = e.InvertSign ?? false,
        };
    }

    /// <summary>A meter entry, typed and range-checked by the loader; here the register map and the driver's own rules.</summary>
    private static class MeterEntry
    {
        public static IEnumerable<RigError> Check(RigMeterEntry e)
        {
            RigError? error = null;
            try
            {
                _ = Map(e);
            }
            catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException or IOException or UnauthorizedAccessException)
            {
                error = new RigError($"{e.Path}.map", $"{ex.Message} (use one of {string.Join(", ", ModbusMeterMap.BuiltIn)} or the path of a map file)", $"\"{e.Map}\"");
            }

            if (error is not null)
            {
                yield return error;
            }

            foreach (OptionError x in Options(e).Validate(e.Path))
            {
                yield return EntryRules.Error(x);
            }
        }

        public static ModbusPowerMeter Create(RigMeterEntry e, IMonotonicClock clock) => new(Options(e), Map(e), () => clock.NowNs);

        private static ModbusMeterMap Map(RigMeterEntry e) =>
            ModbusMeterMap.BuiltIn.Contains(e.Map) ? ModbusMeterMap.LoadBuiltIn(e.Map) : ModbusMeterMap.LoadFile(e.Map);

        private static ModbusMeterOptions Options(RigMeterEntry e) => new()
        {
            Id = e.Id,
            Modbus = { Host = e.Host, Port = e.Port ?? 502 },
            UnitId = checked((byte)(e.UnitId ?? 1)),
            PollPeriodMs = e.PollPeriodMs ?? 100,
            InvertSign = e.InvertSign ?? false,
        };
    }
}
