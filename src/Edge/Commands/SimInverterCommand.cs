using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Edge.Cli;
using Edge.Simulation.Inverter;

namespace Edge.Commands;

/// <summary>
/// <c>edge sim inverter</c>: a standalone simulated SunSpec battery inverter (Modbus TCP server) that behaves like a
/// PCS — latency, first-order lag, ramp limit, power and energy limits, SoC with efficiency, revert timeout, faults.
/// </summary>
public sealed class SimInverterCommand : ICommand
{
    /// <inheritdoc />
    public string Name => "sim inverter";

    /// <inheritdoc />
    public string Summary => "Run a simulated SunSpec battery inverter (Modbus TCP server).";

    /// <inheritdoc />
    public string Usage => """
        edge sim inverter --port P [options]

        A Modbus TCP server that behaves like a battery PCS: "SunS" at 40000 (protocol address; 40001 in 1-based tools),
        then SunSpec models 1, 701, 704, 713, 802 (or 1, 701, 124 with --model 124), then the end marker.
        Control: 704 WSetEna/WSet (W, positive = discharge), WSetRvrt/WSetEnaRvrt/WSetRvrtTms (revert timeout), WRmp.

          --port P            TCP port (0 = any free port; the port is printed).
          --bind ADDR         Address to listen on (default 127.0.0.1).
          --power-w W         Rated charge/discharge power (default 10000).
          --energy-wh WH      Usable energy (default 5000).
          --latency-ms MS     Pure delay before the power stage responds (default 20).
          --tau-ms MS         First-order time constant of the power stage (default 50).
          --soc-pct PCT       Initial state of charge (default 50).
          --ramp-pct-per-s R  Factory ramp limit, % of rated power per second (default 100).
          --efficiency E      One-way efficiency, charge and discharge (default 0.96).
          --model 704|124     Control model exposed (default 704).
          --unit ID           Answer only this unit id (default 0 = any).
          --fault F[,F…]      Inject faults from the start: refuse-writes, freeze, drop, trip, mute.
          --duration D        Stop after D (e.g. 30s); default: run until Ctrl-C.
          --quiet             No once-a-second status line.
          --exit-on-stdin-eof Exit when standard input closes (a parent that spawns it through a pipe: its death, even
                              by SIGKILL, ends the simulator — no orphans); Ctrl-C (SIGINT) is then ignored: the
                              parent's terminal sends it to the whole process group, and the parent decides.

        While running, lines on standard input change the device (for HIL scripts):
          fault F[,F…] | fault none     set the active faults (as --fault)
          reset                         clear a latched trip (like 802 AlmRst = 1)
          soc PCT                       set the state of charge
          status                        print one status line on standard output
        """;

    /// <inheritdoc />
    public IReadOnlySet<string> Switches { get; } = new HashSet<string>(StringComparer.Ordinal) { "quiet", "exit-on-stdin-eof" };

    /// <inheritdoc />
    public int Run(CommandArgs args, CommandContext context)
    {
        long port = args.Long("port", 0, 65535) ?? throw new UsageException("Option --port is required (0 = any free port).");
        string bind = args.String("bind") ?? "127.0.0.1";
        if (!IPAddress.TryParse(bind, out IPAddress? address))
        {
            throw new UsageException($"Option --bind: '{bind}' is not an IP address.");
        }

        double efficiency = args.Double("efficiency", 0.01, 1) ?? 0.96;
        long model = args.Long("model", 0, 65535) ?? 704;
        if (model is not (704 or 124))
        {
            throw new UsageException($"Option --model: {model} is not a control model the simulator offers (704 or 124).");
        }

        var options = new SimulatedPcsOptions
        {
            RatedPowerW = args.Double("power-w", 1, 3e9) ?? 10_000,
            EnergyWh = args.Double("energy-wh", 0.001, 3e9) ?? 5_000,
            LatencyMs = args.Double("latency-ms", 0, 60_000) ?? 20,
            TimeConstantMs = args.Double("tau-ms", 0, 600_000) ?? 50,
            InitialSocPct = args.Double("soc-pct", 0, 100) ?? 50,
            DefaultRampPctPerS = args.Double("ramp-pct-per-s", 0.001, 100_000) ?? 100,
            ChargeEfficiency = efficiency,
            DischargeEfficiency = efficiency,
            ControlModel = (int)model,
            UnitId = (byte)(args.Long("unit", 0, 247) ?? 0),
        };
        IReadOnlyList<Core.OptionError> errors = options.Validate("sim inverter");
        if (errors.Count > 0)
        {
            throw new UsageException(string.Join(Environment.NewLine, errors));
        }

        PcsFaults faults = ParseFaults(args.String("fault"));
        TimeSpan? duration = args.Duration("duration");
        bool quiet = args.Has("quiet");
        bool exitOnEof = args.Has("exit-on-stdin-eof");
        args.ThrowOnUnused();
        if (exitOnEof)
        {
            // Its parent decides when it ends (EOF on stdin, or a kill); a Ctrl-C on the parent's terminal reaches this
            // process too and must not take the inverter away while the parent ramps it down.
            context.Stops.IgnoreInterrupts = true;
        }

        SimulatedInverterHost host;
        try
        {
            host = new SimulatedInverterHost(options, address, (int)port);
        }
        catch (SocketException e)
        {
            context.Error.WriteLine($"edge sim inverter: cannot listen on {bind}:{port}: {e.Message}");
            return ExitCodes.Failed;
        }

        using (host)
        {
            host.SetFaults(faults);
            // The readiness line scripts wait for: the port is open once it is printed.
            context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"listening on {bind}:{host.Port} (SunSpec at 40000, models {string.Join(' ', host.Simulator.Models.Select(m => m.Id))}, unit {(options.UnitId == 0 ? "any" : options.UnitId)}, faults {faults})"));
            context.Out.Flush();
            using var timeout = duration is { } d ? new CancellationTokenSource(d) : new CancellationTokenSource();
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.Cancellation, timeout.Token);
            var control = new Thread(() =>
            {
                ReadControlLines(host, context);
                if (exitOnEof)
                {
                    linked.Cancel(); // the parent is gone (or closed the pipe): stop
                }
            }) { IsBackground = true, Name = "sim-inverter-stdin" };
            control.Start();
            while (!linked.Token.WaitHandle.WaitOne(TimeSpan.FromSeconds(1)))
            {
                if (!quiet)
                {
                    context.Error.WriteLine(Status(host));
                }
            }

            return ExitCodes.Ok;
        }
    }

    private static string Status(SimulatedInverterHost host)
    {
        PcsSnapshot s = host.Simulator.Snapshot();
        return string.Create(CultureInfo.InvariantCulture,
            $"t={s.TimeS,7:F1}s  power={s.PowerW,9:F0} W  setpoint={s.SetpointW,9:F0} W{(s.SetpointEnabled ? "" : " (disabled)")}  soc={s.SocPct,6:F2} %  reverts={s.RevertCount}  writes={s.ControlWrites}  links={host.ConnectionCount}  faults={host.Simulator.Faults}{(s.Tripped ? "  TRIPPED" : "")}");
    }

    /// <summary>Applies control lines from standard input until it closes; a bad line is reported, never fatal.</summary>
    private static void ReadControlLines(SimulatedInverterHost host, CommandContext context)
    {
        string? line;
        while ((line = Console.In.ReadLine()) is not null)
        {
            string[] words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            try
            {
                switch (words)
                {
                    case []:
                        break;
                    case ["fault", string list]:
                        host.SetFaults(ParseFaults(list));
                        context.Out.WriteLine($"faults {host.Simulator.Faults}");
                        break;
                    case ["reset"]:
                        host.Simulator.ResetAlarms();
                        context.Out.WriteLine("alarms reset");
                        break;
                    case ["soc", string pct] when double.TryParse(pct, NumberStyles.Float, CultureInfo.InvariantCulture, out double socPct) && socPct is >= 0 and <= 100:
                        host.Simulator.SetSoc(socPct);
                        context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"soc {socPct} %"));
                        break;
                    case ["status"]:
                        context.Out.WriteLine(Status(host));
                        break;
                    default:
                        context.Error.WriteLine($"edge sim inverter: unknown control line '{line}' (fault F[,F…] | fault none | reset | soc PCT | status)");
                        break;
                }
            }
            catch (UsageException e)
            {
                context.Error.WriteLine($"edge sim inverter: {e.Message}");
            }

            context.Out.Flush();
        }
    }

    private static PcsFaults ParseFaults(string? text)
    {
        PcsFaults faults = PcsFaults.None;
        if (string.IsNullOrEmpty(text))
        {
            return faults;
        }

        foreach (string part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            faults |= part switch
            {
                "refuse-writes" => PcsFaults.RefuseWrites,
                "freeze" => PcsFaults.Freeze,
                "drop" => PcsFaults.DropConnection,
                "trip" => PcsFaults.Trip,
                "mute" => PcsFaults.Mute,
                "none" => PcsFaults.None,
                _ => throw new UsageException($"Option --fault: '{part}' is not a fault (refuse-writes, freeze, drop, trip, mute)."),
            };
        }

        return faults;
    }
}
