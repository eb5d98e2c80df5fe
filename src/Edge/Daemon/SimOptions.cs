using Edge.Core;
using Edge.Simulation.Profiles;

namespace Edge.Daemon;

/// <summary>
/// The embedded simulated rig (configuration section <c>Sim</c>, used by <c>--rig sim</c> and <c>--rig hil</c>): the
/// load profile that drives the simulated INA226 sensors of hardware/rigs/sim-8x-ina226.json, the simulated SunSpec
/// inverters and the simulated site meter.
/// </summary>
public sealed class SimOptions
{
    /// <summary>Load profile spec, e.g. <c>ai-training:peak_w=3200,seed=2</c> (the sim rig's sensors read up to ~3.8 kW).</summary>
    public string Profile { get; set; } = "ai-training:peak_w=3200,duration_s=3600";

    /// <summary>Number of simulated inverters.</summary>
    public int Inverters { get; set; } = 2;

    /// <summary>Rated power of each inverter, W (0 = the profile's peak shared between the inverters).</summary>
    public double InverterPowerW { get; set; }

    /// <summary>Energy of each inverter, Wh (0 = 120 s of the profile's peak, shared).</summary>
    public double InverterEnergyWh { get; set; }

    /// <summary>Inverter response latency, ms.</summary>
    public double LatencyMs { get; set; } = 20;

    /// <summary>Inverter first-order time constant, ms.</summary>
    public double TimeConstantMs { get; set; } = 30;

    /// <summary>
    /// The inverters' own ramp limit, % of rated power per second (SunSpec 704 WRmp). It bounds how fast the
    /// battery can answer a load swing.
    /// </summary>
    public double InverterRampPctPerS { get; set; } = 1000;

    /// <summary>
    /// <c>--rig hil</c> only: <c>HOST:PORT,HOST:PORT,…</c> of SunSpec inverters that already run (a bench's PCS, simulators
    /// a harness started); the rig attaches to them instead of spawning <c>edge sim inverter</c> processes, and they
    /// outlive Edge. One entry per inverter (<see cref="Inverters"/> must match). Empty = spawn.
    /// </summary>
    public string InverterEndpoints { get; set; } = "";

    /// <summary>SoC of the simulated batteries at start, % (NaN = 50 %, or the saved SoC with <see cref="ResumeState"/>).</summary>
    public double InitialSocPct { get; set; } = double.NaN;

    /// <summary>
    /// False (default): every run of a simulated rig starts from its simulated state (<see cref="InitialSocPct"/>).
    /// True: resume the SoC the last run saved in <c>Edge:StateDirectory</c>. Real rigs always read the inverters.
    /// </summary>
    public bool ResumeState { get; set; }

    /// <summary>True to simulate a site meter (closes the controller's loop on unmeasured load).</summary>
    public bool SiteMeter { get; set; } = true;

    /// <summary>Load the rack sensors do not see (cooling, losses) as a fraction of the rack load; the site meter sees it.</summary>
    public double UnmeasuredFraction { get; set; } = 0.03;

    /// <summary>The simulated site meter's update rate, Hz.</summary>
    public double SiteMeterRateHz { get; set; } = 10;

    /// <summary>Simulated GPU-node agents the sim rig runs as MQTT agents (docs/agents.md), 0–64.</summary>
    public int GpuAgents { get; set; } = 2;

    /// <summary>Simulated miner (flexible-load) agents the sim rig runs as MQTT agents, 0–64.</summary>
    public int MinerAgents { get; set; } = 1;

    /// <summary>
    /// Where the simulated agents' passwords are (<c>{dir}/{agent}.password</c>, as <c>setup.sh agent</c> writes them);
    /// empty: they connect without credentials (the embedded or an anonymous broker).
    /// </summary>
    public string AgentPasswordDirectory { get; set; } = "";

    /// <summary>
    /// Whether the sim rig counts on (and so may command) node agents it did not start itself — <c>edge agent</c>
    /// processes or your own on the same broker and site. Off by default: a demo run on a shared broker must never
    /// command a real device (a miner, a GPU node's power cap). The hil rig and rig files always count on every agent.
    /// </summary>
    public bool ForeignAgents { get; set; }

    /// <summary>Checks every option; returns the errors.</summary>
    public IReadOnlyList<OptionError> Validate(string section = "Sim")
    {
        var c = new OptionChecks(section);
        try
        {
            LoadProfiles.Check(Profile);
        }
        catch (FormatException e)
        {
            c.Fail(nameof(Profile), $"\"{Profile}\"", e.Message.TrimEnd('.'));
        }

        c.Range(nameof(Inverters), Inverters, 1, 16, "");
        c.Range(nameof(InverterPowerW), InverterPowerW, 0, 1e10, "W (0 = from the profile)");
        c.Range(nameof(InverterEnergyWh), InverterEnergyWh, 0, 1e10, "Wh (0 = from the profile)");
        c.Range(nameof(LatencyMs), LatencyMs, 0, 10_000, "ms");
        c.Range(nameof(InverterRampPctPerS), InverterRampPctPerS, 1, 65_535, "%/s");
        c.Range(nameof(TimeConstantMs), TimeConstantMs, 0, 10_000, "ms");
        if (!double.IsNaN(InitialSocPct))
        {
            c.Range(nameof(InitialSocPct), InitialSocPct, 0, 100, "% (or NaN for 50 %)");
        }

        if (!string.IsNullOrWhiteSpace(InverterEndpoints))
        {
            try
            {
                int n = ParseEndpoints(InverterEndpoints).Count;
                if (n != Inverters)
                {
                    c.Fail(nameof(InverterEndpoints), $"\"{InverterEndpoints}\"", $"lists {n} inverters but Sim:Inverters is {Inverters}: set Sim:Inverters={n}");
                }
            }
            catch (FormatException e)
            {
                c.Fail(nameof(InverterEndpoints), $"\"{InverterEndpoints}\"", e.Message);
            }
        }

        c.Range(nameof(UnmeasuredFraction), UnmeasuredFraction, 0, 1, "");
        c.Range(nameof(SiteMeterRateHz), SiteMeterRateHz, 0.1, 1000, "Hz");
        c.Range(nameof(GpuAgents), GpuAgents, 0, 64, "");
        c.Range(nameof(MinerAgents), MinerAgents, 0, 64, "");
        if (!string.IsNullOrEmpty(AgentPasswordDirectory) && !Directory.Exists(AgentPasswordDirectory))
        {
            c.Fail(nameof(AgentPasswordDirectory), $"\"{AgentPasswordDirectory}\"", "is not a directory");
        }

        return c.Errors;
    }

    /// <summary>Parses <c>HOST:PORT,…</c> (empty = none). Throws <see cref="FormatException"/> naming the bad entry.</summary>
    public static IReadOnlyList<(string Host, int Port)> ParseEndpoints(string text)
    {
        var list = new List<(string, int)>();
        if (string.IsNullOrWhiteSpace(text))
        {
            return list;
        }

        foreach (string entry in text.Split(',', StringSplitOptions.TrimEntries))
        {
            int colon = entry.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(entry.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int port)
                || port is < 1 or > 65535)
            {
                throw new FormatException($"'{entry}' is not HOST:PORT with a port 1–65535 (e.g. 127.0.0.1:5020)");
            }

            list.Add((entry[..colon].Trim('[', ']'), port));
        }

        return list;
    }
}
