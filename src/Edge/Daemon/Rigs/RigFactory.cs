using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Edge.Core;
using Edge.Core.Devices;
using Edge.Devices.Rig;
using Edge.Modbus.Inverter;
using Edge.Modbus.Meters;
using Edge.Runtime.Timing;
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
/// a real socket (as a hardware-in-the-loop bench would wire real PCS).</item>
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
            return RigLoader.Parse(reader.ReadToEnd(), "sim-8x-ina226.json (embedded)");
        }

        return RigLoader.Load(rig);
    }

    /// <summary>Validates <c>Edge:Rig</c>: the rig file and its inverter and meter entries. Errors name JSON paths.</summary>
    public static IReadOnlyList<OptionError> Validate(string rig)
    {
        try
        {
            RigDefinition definition = LoadDefinition(rig);
            var errors = new List<OptionError>();
            foreach (RigDeviceEntry e in definition.Inverters)
            {
                foreach (string problem in InverterEntry.Check(e))
                {
                    errors.Add(new OptionError("Edge:Rig", rig, $"{e.Path}: {problem}"));
                }
            }

            foreach (RigDeviceEntry e in definition.Meters)
            {
                foreach (string problem in MeterEntry.Check(e))
                {
                    errors.Add(new OptionError("Edge:Rig", rig, $"{e.Path}: {problem}"));
                }
            }

            return errors;
        }
        catch (RigException e)
        {
            return e.Errors.Count == 0
                ? [new OptionError("Edge:Rig", rig, e.Message)]
                : e.Errors.Select(x => new OptionError("Edge:Rig", rig, x.ToString())).ToList();
        }
    }

    /// <summary>Builds the rig. Throws <see cref="InvalidOperationException"/> when a device cannot be opened.</summary>
    public static BuiltRig Build(EdgeOptions edge, SimOptions sim, double initialSocPct, IMonotonicClock clock)
    {
        RigDefinition definition = LoadDefinition(edge.Rig);
        return edge.Rig is "sim" or "hil"
            ? BuildSimulated(definition, sim, edge.Rig == "hil", initialSocPct, clock)
            : BuildFromFile(definition, clock);
    }

    /// <summary>Per-inverter rated power and energy of the simulated rig.</summary>
    public static (double PowerW, double EnergyWh) SimInverterSize(SimOptions sim, ILoadProfile profile)
    {
        double powerW = sim.InverterPowerW > 0 ? sim.InverterPowerW : Math.Ceiling(profile.PeakW / sim.Inverters);
        double energyWh = sim.InverterEnergyWh > 0 ? sim.InverterEnergyWh : Math.Ceiling(profile.PeakW * 120 / 3600 / sim.Inverters);
        return (powerW, energyWh);
    }

    private static BuiltRig BuildSimulated(RigDefinition definition, SimOptions sim, bool hil, double initialSocPct, IMonotonicClock clock)
    {
        SampledProfile generated = LoadProfiles.Create(sim.Profile);
        var profile = new ShiftedProfile(generated, clock.NowNs * 1e-9);
        var backend = new SimulatedRigBackend(definition, profile, () => clock.NowNs);
        RigDevices devices = RigAssembler.Build(definition, backend);
        (double powerW, double energyWh) = SimInverterSize(sim, generated);

        var hosts = new List<SimulatedInverterHost>();
        var processes = new List<InverterProcess>();
        var inverters = new List<IBatteryInverter>();
        var disposables = new List<IDisposable>();
        for (int i = 0; i < sim.Inverters; i++)
        {
            string id = $"pcs{i + 1}";
            int port;
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

            var driver = new SunSpecInverter(new SunSpecInverterOptions
            {
                Id = id,
                Modbus = { Host = "127.0.0.1", Port = port, RequestTimeoutMs = 200 },
                UnitId = 1,
                RatedPowerW = powerW,
                CapacityWh = energyWh,
                RevertTimeoutS = 2,
                RampPctPerS = sim.InverterRampPctPerS,
                PollPeriodMs = 20,
                HeartbeatPeriodMs = 500,
                LeaseObserveMs = 750,
            }, () => clock.NowNs);
            inverters.Add(driver);
            disposables.Add(driver);
        }

        SimulatedSiteMeter? meter = sim.SiteMeter && !hil
            ? new SimulatedSiteMeter(profile, hosts.Select(h => h.Simulator).ToList(), sim.UnmeasuredFraction, sim.SiteMeterRateHz, clock)
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
        string where = hil
            ? $"as separate 'edge sim inverter' processes on ports {string.Join(", ", processes.Select(p => p.Port))}"
            : $"in-process on loopback ports {string.Join(", ", hosts.Select(h => h.Port))}";
        rig.Notes.Add(FormattableString.Invariant(
            $"{sim.Inverters} simulated SunSpec inverters of {powerW:0} W / {energyWh:0} Wh, latency {sim.LatencyMs} ms, τ {sim.TimeConstantMs} ms, {where}"));
        rig.Notes.Add(meter is null ? "no site meter" : string.Create(CultureInfo.InvariantCulture, $"simulated site meter at {sim.SiteMeterRateHz} Hz, unmeasured load {sim.UnmeasuredFraction:P0}"));
        return rig;
    }

    private static BuiltRig BuildFromFile(RigDefinition definition, IMonotonicClock clock)
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
        foreach (RigDeviceEntry e in definition.Inverters)
        {
            ModbusInverter inverter = InverterEntry.Create(e, clock);
            inverters.Add(inverter);
            owned.Add(inverter);
        }

        IPowerSensor? siteMeter = null;
        foreach (RigDeviceEntry e in definition.Meters)
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
        rig.Notes.Add($"rig file {definition.Source}: {definition.Sensors.Count} sensors on {definition.Buses.Count} buses, {inverters.Count} inverters, {(siteMeter is null ? "no site meter" : "site meter " + siteMeter.Id)}");
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
                "sim", "inverter", "--port", "0", "--quiet",
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

    /// <summary>An inverter entry of a rig file: <c>{"id", "type": "sunspec", "host", "port", "unitId", "ratedPowerW", …}</c>.</summary>
    private static class InverterEntry
    {
        public static IEnumerable<string> Check(RigDeviceEntry e)
        {
            if (e.Type != "sunspec")
            {
                yield return $"type '{e.Type}' is not an inverter type Edge drives (sunspec)";
                yield break;
            }

            string? error = null;
            try
            {
                _ = Options(e);
            }
            catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException)
            {
                error = ex.Message;
            }

            if (error is not null)
            {
                yield return error;
            }
        }

        public static ModbusInverter Create(RigDeviceEntry e, IMonotonicClock clock) => new SunSpecInverter(Options(e), () => clock.NowNs);

        private static SunSpecInverterOptions Options(RigDeviceEntry e)
        {
            JsonElement j = e.Element;
            var o = new SunSpecInverterOptions
            {
                Id = e.Id,
                Modbus = { Host = Str(j, "host") ?? throw new FormatException("host is required"), Port = (int)(Num(j, "port") ?? 502) },
                UnitId = (byte)(Num(j, "unitId") ?? 1),
                RatedPowerW = Num(j, "ratedPowerW") ?? 0,
                CapacityWh = Num(j, "capacityWh") ?? 0,
                RevertTimeoutS = (int)(Num(j, "revertTimeoutS") ?? 2),
                RampPctPerS = Num(j, "rampPctPerS") ?? 100,
                InvertSign = j.TryGetProperty("invertSign", out JsonElement inv) && inv.ValueKind == JsonValueKind.True,
            };
            IReadOnlyList<OptionError> errors = o.Validate(e.Path);
            return errors.Count == 0 ? o : throw new FormatException(string.Join("; ", errors));
        }
    }

    /// <summary>A meter entry: <c>{"id", "type": "modbus", "role": "site", "map": "eastron-sdm630" | path, "host", "port", "unitId"}</c>.</summary>
    private static class MeterEntry
    {
        public static IEnumerable<string> Check(RigDeviceEntry e)
        {
            if (e.Type != "modbus")
            {
                yield return $"type '{e.Type}' is not a meter type Edge reads (modbus)";
                yield break;
            }

            if (Str(e.Element, "role") is { } role && role != "site")
            {
                yield return $"role '{role}': only the site meter (role \"site\") is supported; rack power comes from the rig's sensors";
            }

            string? error = null;
            try
            {
                _ = Map(e);
                _ = Options(e);
            }
            catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException or IOException)
            {
                error = ex.Message;
            }

            if (error is not null)
            {
                yield return error;
            }
        }

        public static ModbusPowerMeter Create(RigDeviceEntry e, IMonotonicClock clock) => new(Options(e), Map(e), () => clock.NowNs);

        private static ModbusMeterMap Map(RigDeviceEntry e)
        {
            string map = Str(e.Element, "map") ?? throw new FormatException("map is required (a built-in map name or a file)");
            return ModbusMeterMap.BuiltIn.Contains(map) ? ModbusMeterMap.LoadBuiltIn(map) : ModbusMeterMap.LoadFile(map);
        }

        private static ModbusMeterOptions Options(RigDeviceEntry e)
        {
            JsonElement j = e.Element;
            var o = new ModbusMeterOptions
            {
                Id = e.Id,
                Modbus = { Host = Str(j, "host") ?? throw new FormatException("host is required"), Port = (int)(Num(j, "port") ?? 502) },
                UnitId = (byte)(Num(j, "unitId") ?? 1),
                PollPeriodMs = (int)(Num(j, "pollPeriodMs") ?? 100),
                InvertSign = j.TryGetProperty("invertSign", out JsonElement inv) && inv.ValueKind == JsonValueKind.True,
            };
            IReadOnlyList<OptionError> errors = o.Validate(e.Path);
            return errors.Count == 0 ? o : throw new FormatException(string.Join("; ", errors));
        }
    }

    private static string? Str(JsonElement j, string name) =>
        j.TryGetProperty(name, out JsonElement v) ? v.ValueKind == JsonValueKind.String ? v.GetString() : throw new FormatException($"{name} must be a string") : null;

    private static double? Num(JsonElement j, string name) =>
        j.TryGetProperty(name, out JsonElement v) ? v.ValueKind == JsonValueKind.Number ? v.GetDouble() : throw new FormatException($"{name} must be a number") : null;
}
