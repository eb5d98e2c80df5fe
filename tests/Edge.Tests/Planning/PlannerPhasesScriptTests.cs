using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using Edge.Cli;
using Edge.Tests.Deploy;
using Xunit.Abstractions;

namespace Edge.Tests.Planning;

/// <summary>
/// docs/planner-phases.py, the per-phase comparison of docs/planner.md §6: on two real replays (the planner with its
/// periodic forecast and with perfect foresight) its totals are each run's own throughput, its phases are the trace's,
/// its picture is well-formed, and inputs that are not two series of the same trace are refused with exit 2.
/// </summary>
public sealed class PlannerPhasesScriptTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("edge-phases-").FullName;

    private static string Script => Path.Combine(Shell.RepoRoot, "docs", "planner-phases.py");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Totals_are_each_replays_throughput_and_every_phase_of_the_trace_is_listed()
    {
        if (!Shell.Require(output, "python3", "/usr/bin/python3"))
        {
            return;
        }

        string trace = WriteBlocks(out int phases);
        (string periodic, double periodicWh) = Replay(trace, "periodic");
        (string perfect, double perfectWh) = Replay(trace, "perfect");
        string svg = Path.Combine(_dir, "phases.svg");

        Shell.Result r = Shell.Run("/usr/bin/python3", [Script, periodic, perfect, "--svg", svg]);
        output.WriteLine(r.Out);
        Assert.True(r.ExitCode == 0, r.Err);
        string[] lines = r.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        string[] total = lines[^1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("total", total[0]);
        double first = double.Parse(total[2], CultureInfo.InvariantCulture);
        double second = double.Parse(total[3], CultureInfo.InvariantCulture);
        Assert.InRange(first, periodicWh - 0.051, periodicWh + 0.051); // printed to 0.1 Wh below 1 kWh
        Assert.InRange(second, perfectWh - 0.051, perfectWh + 0.051);
        Assert.True(perfectWh < periodicWh, "on pauses of irregular length foresight must cycle less, or the comparison shows nothing");

        string[] rows = [.. lines.Where(l => l.Contains(" high ", StringComparison.Ordinal) || l.Contains(" low ", StringComparison.Ordinal))];
        Assert.Equal(phases, rows.Length);
        double sumOfDiffs = rows.Sum(l => double.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[^1], CultureInfo.InvariantCulture));
        Assert.InRange(sumOfDiffs, first - second - (0.05 * phases), first - second + (0.05 * phases)); // each row rounded to 0.1 Wh

        XDocument picture = XDocument.Load(svg);
        XNamespace ns = "http://www.w3.org/2000/svg";
        Assert.Equal(phases, picture.Descendants(ns + "rect").Count());
        Assert.Single(picture.Descendants(ns + "polyline"));
    }

    [Fact]
    public void Inputs_that_are_not_two_series_of_one_trace_are_refused_with_exit_2_and_the_reason()
    {
        if (!Shell.Require(output, "python3", "/usr/bin/python3"))
        {
            return;
        }

        string trace = WriteBlocks(out _);
        (string series, _) = Replay(trace, "periodic");
        string other = Path.Combine(_dir, "other.csv");
        File.WriteAllText(other, File.ReadAllText(trace).Replace("6000", "6001", StringComparison.Ordinal));
        (string otherSeries, _) = Replay(other, "periodic");
        string notSeries = Path.Combine(_dir, "not-series.csv");
        File.WriteAllText(notSeries, "a,b\n1,2\n");

        (string[] Args, string Says)[] cases =
        [
            ([series], "two series files are needed"),
            ([series, notSeries], "not an edge replay --series file"),
            ([series, Path.Combine(_dir, "missing.csv")], "missing.csv"),
            ([series, series, "--controller", "nope"], "no rows for controller 'nope'"),
            ([series, otherSeries], "not replays of the same trace"),
            ([series, series, "--threshold-w", "lots"], "is not a number of watts"),
            ([series, series, "--bogus"], "unknown option --bogus"),
        ];
        foreach ((string[] args, string says) in cases)
        {
            Shell.Result r = Shell.Run("/usr/bin/python3", [Script, .. args]);
            Assert.True(r.ExitCode == 2, $"{string.Join(' ', args)}: exit {r.ExitCode}");
            Assert.Contains(says, r.Err, StringComparison.Ordinal);
        }
    }

    private (string Series, double ThroughputWh) Replay(string trace, string forecast)
    {
        string series = Path.Combine(_dir, $"{Path.GetFileNameWithoutExtension(trace)}-{forecast}.csv");
        string json = Path.ChangeExtension(series, ".json");
        string[] args = ["replay", "--trace", trace, "--controller", "smoothing", "--planner", "--planner-forecast", forecast, "--series", series, "--json", json, "--quiet"];
        var stderr = new StringWriter();
        Assert.True(CommandRegistry.Run(args, new CommandContext(new StringWriter(), stderr, false, CancellationToken.None)) == 0, stderr.ToString());
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(json));
        JsonElement planner = doc.RootElement.GetProperty("results").EnumerateArray().Single(e => e.GetProperty("controller").GetString() == "planner");
        return (series, planner.GetProperty("battery_throughput_wh").GetDouble());
    }

    /// <summary>6 kW compute blocks of 20 s between 1.5 kW pauses of 8–40 s (drawn once), 5 minutes at 0.1 s.</summary>
    private string WriteBlocks(out int phases)
    {
        string path = Path.Combine(_dir, "blocks.csv");
        var random = new Random(11);
        var sb = new StringBuilder("time_s,power_w\n");
        int k = 0;
        phases = 0;
        while (k < 3_000)
        {
            int pause = random.Next(80, 401);
            for (int i = 0; i < pause && k < 3_000; i++, k++)
            {
                sb.Append(CultureInfo.InvariantCulture, $"{k * 0.1:0.0},1500\n");
            }

            phases++;
            if (k >= 3_000)
            {
                break;
            }

            for (int i = 0; i < 200 && k < 3_000; i++, k++)
            {
                sb.Append(CultureInfo.InvariantCulture, $"{k * 0.1:0.0},6000\n");
            }

            phases++;
        }

        File.WriteAllText(path, sb.ToString());
        return path;
    }
}
