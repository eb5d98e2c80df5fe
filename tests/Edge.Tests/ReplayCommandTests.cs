using System.Text.Json;
using Edge.Cli;

namespace Edge.Tests;

/// <summary>`edge replay` end to end through the command line (in-process, same code path as the executable).</summary>
public sealed class ReplayCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("edge-replay-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = CommandRegistry.Run(args, new CommandContext(o, e, false, CancellationToken.None));
        return (code, o.ToString(), e.ToString());
    }

    [Fact]
    public void A_generated_training_profile_replays_with_every_controller_and_every_output()
    {
        string json = Path.Combine(_dir, "r.json"), svg = Path.Combine(_dir, "r.svg"), series = Path.Combine(_dir, "s.csv");
        (int code, string stdout, string stderr) = Run("replay", "--profile", "ai-training:duration_s=600,seed=3", "--controller", "all",
            "--json", json, "--plot", svg, "--series", series);
        Assert.True(code == 0, stderr);
        foreach (string name in new[] { "smoothing", "none", "moving-average", "low-pass", "peak-shave" })
        {
            Assert.Contains(name, stdout, StringComparison.Ordinal);
        }

        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(json));
        JsonElement results = doc.RootElement.GetProperty("results");
        Assert.Equal(5, results.GetArrayLength());
        Assert.True(doc.RootElement.GetProperty("trace").GetProperty("peak_w").GetDouble() > 0);
        var byName = results.EnumerateArray().ToDictionary(r => r.GetProperty("controller").GetString()!, r => r);
        JsonElement smoothing = byName["smoothing"];
        foreach (string metric in new[] { "max_rise_w_per_s", "max_fall_w_per_s", "ramp_violation_s", "band_energy_ratio", "peak_grid_w", "min_grid_w", "battery_throughput_wh", "soc_min_pct", "soc_max_pct", "soc_final_pct", "saturated_s" })
        {
            Assert.True(smoothing.TryGetProperty(metric, out _), metric);
        }

        // The acceptance criteria of the control core, on the default sizing.
        Assert.Equal(0, smoothing.GetProperty("ramp_violation_s").GetDouble());
        double band = smoothing.GetProperty("band_energy_ratio").GetDouble();
        Assert.True(band <= 1e-4, $"band energy ratio {band}");
        foreach ((string name, JsonElement r) in byName.Where(kv => kv.Key != "smoothing"))
        {
            Assert.True(r.GetProperty("band_energy_ratio").GetDouble() > band, name);
            bool beatsOnBoth = r.GetProperty("band_energy_ratio").GetDouble() < band
                               && r.GetProperty("battery_throughput_wh").GetDouble() < smoothing.GetProperty("battery_throughput_wh").GetDouble();
            Assert.False(beatsOnBoth, name);
        }

        string plot = File.ReadAllText(svg);
        Assert.StartsWith("<svg", plot, StringComparison.Ordinal);
        Assert.Contains("ramp limit", plot, StringComparison.Ordinal);
        string[] lines = File.ReadAllLines(series);
        Assert.Equal("time_s,controller,load_w,grid_w,grid_target_w,battery_w,soc_pct", lines[0]);
        Assert.Equal(1 + (5 * 60_000), lines.Length);
    }

    [Fact]
    public void The_series_lets_anyone_recompute_grid_from_load_and_battery()
    {
        string series = Path.Combine(_dir, "s.csv");
        Assert.Equal(0, Run("replay", "--profile", "inference:duration_s=60", "--series", series).Code);
        foreach (string line in File.ReadLines(series).Skip(1).Take(5000))
        {
            double[] f = line.Split(',').Where((_, i) => i != 1).Select(v => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            Assert.Equal(f[1] - f[4], f[2], 6); // grid = load − battery
        }
    }

    [Fact]
    public void A_csv_trace_replays_and_an_html_plot_is_self_contained()
    {
        string trace = Path.Combine(_dir, "t.csv");
        File.WriteAllLines(trace, new[] { "time_s,power_w" }.Concat(Enumerable.Range(0, 3000).Select(k => $"{k * 0.1:0.0},{(k / 20 % 2 == 0 ? 1000 : 4000)}")));
        string html = Path.Combine(_dir, "p.html");
        (int code, string stdout, string stderr) = Run("replay", "--trace", trace, "--controller", "smoothing,low-pass", "--plot", html);
        Assert.True(code == 0, stderr);
        string page = File.ReadAllText(html);
        Assert.Contains("<svg", page, StringComparison.Ordinal);
        Assert.DoesNotContain("<script src", page, StringComparison.Ordinal);
        Assert.Contains("low-pass", stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bad-row")]
    [InlineData("unknown-controller")]
    [InlineData("both-sources")]
    [InlineData("bad-config")]
    [InlineData("bad-option-value")]
    public void Bad_input_exits_2_and_writes_nothing(string kind)
    {
        string trace = Path.Combine(_dir, "t.csv");
        File.WriteAllText(trace, "time_s,power_w\n0,100\n0.1,200\n0.2,x\n");
        string config = Path.Combine(_dir, "c.json");
        File.WriteAllText(config, "{ \"Controller\": { \"RampUpWPerS\": \"fast\" } }");
        string json = Path.Combine(_dir, "out.json");
        string[] args = kind switch
        {
            "bad-row" => ["replay", "--trace", trace, "--json", json],
            "unknown-controller" => ["replay", "--profile", "ai-training", "--controller", "pid", "--json", json],
            "both-sources" => ["replay", "--profile", "ai-training", "--trace", trace, "--json", json],
            "bad-config" => ["replay", "--profile", "ai-training:duration_s=60", "--config", config, "--json", json],
            _ => ["replay", "--profile", "ai-training:duration_s=60", "--ramp-w-per-s", "-4", "--json", json],
        };
        (int code, _, string stderr) = Run(args);
        Assert.Equal(2, code);
        Assert.False(File.Exists(json));
        Assert.Empty(Directory.GetFiles(_dir, ".*tmp"));
        if (kind == "bad-row")
        {
            Assert.Contains("t.csv:4:2", stderr, StringComparison.Ordinal);
        }

        if (kind == "bad-config")
        {
            Assert.Contains("Controller:RampUpWPerS", stderr, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Unknown_options_and_commands_are_rejected()
    {
        Assert.Equal(2, Run("replay", "--profile", "ai-training", "--colour", "red").Code);
        Assert.Equal(2, Run("replya").Code);
        Assert.Equal(0, Run("replay", "--help").Code);
    }
}
