using Edge.Cli;
using Edge.Tests.Deploy;
using Xunit.Abstractions;

namespace Edge.Tests.Planning;

/// <summary>
/// docs/planner-make-hall.py, the multi-job halls of docs/planner.md §6: the documented hall and the seeded ones are
/// traces and announcement files that edge replay reads, deterministic, and bad arguments are refused with exit 2.
/// </summary>
public sealed class PlannerHallScriptTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("edge-hall-").FullName;

    private static string Script => Path.Combine(Shell.RepoRoot, "docs", "planner-make-hall.py");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(new string[0], 3)]
    [InlineData(new[] { "--seed", "3" }, 2)]
    [InlineData(new[] { "--seed", "5" }, 4)]
    public void A_hall_and_its_announcements_are_read_by_edge_replay_and_are_the_same_every_time(string[] seed, int jobs)
    {
        if (!Shell.Require(output, "python3", "/usr/bin/python3"))
        {
            return;
        }

        Shell.Result trace = Shell.Run("/usr/bin/python3", [Script, .. seed]);
        Assert.True(trace.ExitCode == 0, trace.Err);
        Assert.Equal(trace.Out, Shell.Run("/usr/bin/python3", [Script, .. seed]).Out);
        string[] lines = trace.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("time_s,power_w", lines[0]);
        Assert.Equal(36_002, lines.Length); // 0 … 3 600 s at 0.1 s
        Assert.Equal(seed.Length == 0 ? 0 : jobs, trace.Err.Split('\n').Count(l => l.StartsWith("job: ", StringComparison.Ordinal)));

        Shell.Result announce = Shell.Run("/usr/bin/python3", [Script, .. seed, "--announce"]);
        Assert.True(announce.ExitCode == 0, announce.Err);
        string[] events = announce.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(jobs, events.Count(e => e.Contains("\"job_start\"", StringComparison.Ordinal)));
        Assert.Equal(jobs, events.Count(e => e.Contains("\"job_end\"", StringComparison.Ordinal)));

        string csv = Path.Combine(_dir, "hall.csv");
        string jsonl = Path.Combine(_dir, "hall-ann.jsonl");
        File.WriteAllText(csv, trace.Out);
        File.WriteAllText(jsonl, announce.Out);
        var stderr = new StringWriter();
        int code = CommandRegistry.Run(["replay", "--trace", csv, "--announce", jsonl, "--controller", "none", "--quiet"],
            new CommandContext(new StringWriter(), stderr, false, CancellationToken.None));
        Assert.True(code == 0, stderr.ToString());
    }

    [Fact]
    public void Seeded_halls_differ_from_the_documented_one_and_from_each_other()
    {
        if (!Shell.Require(output, "python3", "/usr/bin/python3"))
        {
            return;
        }

        string[] halls = [.. new[] { Array.Empty<string>(), ["--seed", "1"], ["--seed", "2"] }.Select(a => Shell.Run("/usr/bin/python3", [Script, .. a]).Out)];
        Assert.Equal(3, halls.Distinct().Count());
    }

    [Theory]
    [InlineData(new[] { "--seed" }, "--seed needs a whole number")]
    [InlineData(new[] { "--seed", "x" }, "--seed needs a whole number")]
    [InlineData(new[] { "--seed", "-1" }, "--seed needs a whole number")]
    [InlineData(new[] { "--bogus" }, "unknown argument '--bogus'")]
    public void Bad_arguments_are_refused_with_exit_2_and_the_reason(string[] args, string says)
    {
        if (!Shell.Require(output, "python3", "/usr/bin/python3"))
        {
            return;
        }

        Shell.Result r = Shell.Run("/usr/bin/python3", [Script, .. args]);
        Assert.True(r.ExitCode == 2, $"{string.Join(' ', args)}: exit {r.ExitCode}");
        Assert.Contains(says, r.Err, StringComparison.Ordinal);
        Assert.Equal(string.Empty, r.Out);
    }
}
