using System.Globalization;
using System.Text;
using System.Text.Json;
using Edge.Cli;
using Edge.Tests.Deploy;
using Xunit.Abstractions;

namespace Edge.Tests.Replay;

/// <summary>
/// The metrics edge replay reports are recomputed from its own --series file by an implementation that shares no
/// code with Edge: recompute_metrics.py beside this file (numpy and scipy.signal.welch, Debian's python3-scipy).
/// Ramp figures must agree exactly, the band ratio to rounding.
/// </summary>
public sealed class ReplayRecomputeTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("edge-recompute-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    public static TheoryData<string, string> Cases => new()
    {
        { "ai-training", "--profile ai-training:duration_s=600,seed=3" },
        { "inference", "--profile inference:duration_s=600,seed=2" },
        { "ai-training, 50 ms actuator latency", "--profile ai-training:duration_s=600,seed=5 --battery-latency-ms 50" },
        { "csv at 50 ms, 50 ms latency, dynamic range", "--trace {csv} --battery-latency-ms 50 --dynamic-range-w 40" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Ramp_and_band_metrics_match_an_independent_recomputation_from_the_series(string name, string flags)
    {
        if (!Shell.Require(output, "python3-scipy", "/usr/bin/python3") || !PythonHasScipy())
        {
            return;
        }

        string csv = WriteCsvTrace();
        string json = Path.Combine(_dir, "r.json"), series = Path.Combine(_dir, "s.csv");
        string[] args = ["replay", .. flags.Replace("{csv}", csv, StringComparison.Ordinal).Split(' '), "--controller", "all", "--json", json, "--series", series, "--quiet"];
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        Assert.True(CommandRegistry.Run(args, new CommandContext(stdout, stderr, false, CancellationToken.None)) == 0, stderr.ToString());

        Shell.Result py = Shell.Run("/usr/bin/python3", [Path.Combine(Shell.RepoRoot, "tests", "Edge.Tests", "Replay", "recompute_metrics.py"), series, json]);
        Assert.True(py.ExitCode == 0, py.Err);
        using JsonDocument theirs = JsonDocument.Parse(py.Out);
        using JsonDocument ours = JsonDocument.Parse(File.ReadAllText(json));
        int compared = 0;
        foreach (JsonElement r in ours.RootElement.GetProperty("results").EnumerateArray())
        {
            string controller = r.GetProperty("controller").GetString()!;
            JsonElement t = theirs.RootElement.GetProperty(controller);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name} · {controller}: ramp_violation_s {r.GetProperty("ramp_violation_s").GetDouble()} vs {t.GetProperty("ramp_violation_s").GetDouble()}, band_energy_ratio {r.GetProperty("band_energy_ratio")} vs {t.GetProperty("band_energy_ratio")}"));
            Assert.Equal(t.GetProperty("periods").GetInt64(), ours.RootElement.GetProperty("trace").GetProperty("periods").GetInt64());
            Assert.Equal(t.GetProperty("ramp_violation_s").GetDouble(), r.GetProperty("ramp_violation_s").GetDouble(), 9);
            Close(t.GetProperty("max_rise_w_per_s").GetDouble(), r.GetProperty("max_rise_w_per_s").GetDouble(), 1e-9);
            Close(t.GetProperty("max_fall_w_per_s").GetDouble(), r.GetProperty("max_fall_w_per_s").GetDouble(), 1e-9);
            Close(t.GetProperty("band_energy_ratio").GetDouble(), r.GetProperty("band_energy_ratio").GetDouble(), 1e-8);
            Assert.Equal(t.GetProperty("band_high_hz").GetDouble(), ours.RootElement.GetProperty("limits").GetProperty("band_high_hz").GetDouble(), 12);
            compared++;
        }

        Assert.Equal(5, compared);
        double violation = ours.RootElement.GetProperty("results").EnumerateArray().Sum(r => r.GetProperty("ramp_violation_s").GetDouble());
        Assert.True(violation > 0, "the baselines must break the ramp limit somewhere, or the comparison proves little");
    }

    private static void Close(double expected, double actual, double relative) =>
        Assert.True(Math.Abs(expected - actual) <= relative * Math.Max(Math.Abs(expected), 1e-300), $"expected {expected:R}, got {actual:R}");

    private bool PythonHasScipy()
    {
        Shell.Result r = Shell.Run("/usr/bin/python3", ["-c", "import numpy, scipy.signal"]);
        if (r.ExitCode == 0)
        {
            return true;
        }

        if (Shell.InCi)
        {
            Assert.Fail("python3-scipy/python3-numpy are missing and CI=true: install them (tests/run.sh does).");
        }

        output.WriteLine("SKIPPED: /usr/bin/python3 cannot import numpy and scipy.signal (Debian python3-scipy).");
        return false;
    }

    /// <summary>A 10-minute trace at 50 ms (native band edge 10 Hz): steps, a 0.8 Hz square burst, a 7 Hz ripple, noise.</summary>
    private string WriteCsvTrace()
    {
        string path = Path.Combine(_dir, "t.csv");
        var rng = new Random(17);
        var sb = new StringBuilder("time_s,power_w\n");
        for (int k = 0; k < 12_000; k++)
        {
            double t = k * 0.05;
            double level = (k / 600) % 3 == 0 ? 2000 : (k / 600) % 3 == 1 ? 5000 : 3500;
            double square = t % 120 < 40 ? (Math.Sin(2 * Math.PI * 0.8 * t) >= 0 ? 1500 : -1500) : 0;
            double ripple = 80 * Math.Sin(2 * Math.PI * 7 * t);
            sb.Append(CultureInfo.InvariantCulture, $"{t:0.00},{level + square + ripple + (rng.NextDouble() * 50):0.###}\n");
        }

        File.WriteAllText(path, sb.ToString());
        return path;
    }
}
