using Xunit.Abstractions;

namespace Edge.Tests.Deploy;

/// <summary>
/// deploy/edge.service against systemd's own checker: <c>systemd-analyze verify</c> on a copy whose ExecStart points
/// at the launcher install.sh staged (verify insists the command exists and is executable). systemd-analyze exits 0
/// even for unknown keys and unparsable values (it only warns), so the verdict is: exit 0 and no line about the unit.
/// </summary>
public sealed class SystemdUnitTests : IClassFixture<PublishedBuild>, IDisposable
{
    private readonly PublishedBuild _build;
    private readonly ITestOutputHelper _output;
    private readonly TempDir _tmp = new("edge-unit-");

    public SystemdUnitTests(PublishedBuild build, ITestOutputHelper output)
    {
        _build = build;
        _output = output;
    }

    public void Dispose() => _tmp.Dispose();

    private static string UnitText => File.ReadAllText(Path.Combine(Shell.DeployDir, "edge.service"));

    /// <summary>Stages the install, writes <paramref name="unitText"/> with ExecStart re-pointed, runs verify.</summary>
    private (Shell.Result Result, string[] Complaints) Verify(string unitText)
    {
        string root = _tmp["root"];
        if (!File.Exists(Path.Combine(root, "opt/edge/edge")))
        {
            Shell.Result install = Shell.Script("install.sh", ["--root", root, "--from", _build.Dir]);
            Assert.True(install.ExitCode == 0, install.All);
        }

        const string execStart = "ExecStart=/opt/edge/edge run";
        Assert.Contains(execStart, unitText, StringComparison.Ordinal);
        string unitDir = _tmp["units"];
        Directory.CreateDirectory(unitDir);
        string unit = Path.Combine(unitDir, "edge.service");
        File.WriteAllText(unit, unitText.Replace(execStart, $"ExecStart={root}/opt/edge/edge run", StringComparison.Ordinal));

        Shell.Result r = Shell.Run("systemd-analyze", ["verify", "--man=no", unit], workingDirectory: unitDir);
        string[] complaints = (r.Out + "\n" + r.Err).Split('\n')
            .Where(l => l.Contains("edge.service", StringComparison.Ordinal)).ToArray();
        return (r, complaints);
    }

    [Fact]
    public void The_unit_passes_systemd_analyze_verify_without_a_warning()
    {
        if (!Shell.Require(_output, "systemd", "systemd-analyze"))
        {
            return;
        }

        (Shell.Result r, string[] complaints) = Verify(UnitText);
        Assert.True(r.ExitCode == 0, r.All);
        Assert.True(complaints.Length == 0, "systemd-analyze verify complained:\n" + string.Join('\n', complaints));
    }

    [Fact]
    public void The_check_catches_a_broken_unit()
    {
        if (!Shell.Require(_output, "systemd", "systemd-analyze"))
        {
            return;
        }

        // A typo in a value and a misspelt key: both only warnings for systemd, both must fail the check above.
        string broken = UnitText.Replace("Type=notify\n", "Type=notfy\nWatchdogSecs=2s\n", StringComparison.Ordinal);
        Assert.NotEqual(UnitText, broken);
        (_, string[] complaints) = Verify(broken);
        Assert.Contains(complaints, l => l.Contains("notfy", StringComparison.Ordinal));
        Assert.Contains(complaints, l => l.Contains("WatchdogSecs", StringComparison.Ordinal));
    }

    [Fact]
    public void The_unit_has_the_settings_issue_7_asks_for()
    {
        Dictionary<string, List<string>> service = Section(UnitText, "Service");
        Assert.Equal(["notify"], service["Type"]);
        Assert.Equal(["/opt/edge/edge run --config /etc/edge/appsettings.json"], service["ExecStart"]);
        Assert.Equal(["on-failure"], service["Restart"]);
        Assert.Single(service["WatchdogSec"]);
        Assert.Equal(["edge"], service["User"]);
        Assert.Contains("CAP_SYS_NICE", service["AmbientCapabilities"].Single().Split(' '));
        Assert.Single(service["CPUSchedulingPolicy"]);
        Assert.Equal(["infinity"], service["LimitMEMLOCK"]);
        Assert.Equal(["strict"], service["ProtectSystem"]);
        Assert.Equal(["yes"], service["NoNewPrivileges"]);
        Assert.Equal(["edge"], service["StateDirectory"]);
        Assert.Contains("/var/lib/edge", service["ReadWritePaths"].Single().Split(' '));
        Assert.Contains("char-i2c rw", service["DeviceAllow"]);
        Assert.Contains("char-gpiochip rw", service["DeviceAllow"]);
        Assert.Contains("2", service["RestartPreventExitStatus"].Single().Split(' '));
        // A group missing on the host would fail every start (216/GROUP): groups come from the user's membership.
        Assert.False(service.ContainsKey("SupplementaryGroups"));
        Assert.Equal(["multi-user.target"], Section(UnitText, "Install")["WantedBy"]);
    }

    private static Dictionary<string, List<string>> Section(string unit, string name)
    {
        var result = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        string? current = null;
        foreach (string raw in unit.Split('\n'))
        {
            string line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or ';')
            {
                continue;
            }

            if (line[0] == '[')
            {
                current = line.Trim('[', ']');
                continue;
            }

            int eq = line.IndexOf('=', StringComparison.Ordinal);
            if (current == name && eq > 0)
            {
                string key = line[..eq];
                if (!result.TryGetValue(key, out List<string>? values))
                {
                    result[key] = values = [];
                }

                values.Add(line[(eq + 1)..]);
            }
        }

        return result;
    }
}
