using Xunit.Abstractions;

namespace Edge.Tests.Deploy;

/// <summary>
/// deploy/mosquitto/setup.sh refuses a name that carries a second line: the name check must see the whole argument
/// (grep checks line by line), else the line after the newline lands in the broker's ACL as a rule of its own.
/// </summary>
public sealed class SetupScriptTests(ITestOutputHelper output)
{
    public static TheoryData<string[]> NamesWithASecondLine() => new()
    {
        new[] { "operator", "alice\ntopic readwrite #" },
        new[] { "viewer", "grafana\r\ntopic readwrite #" },
        new[] { "node", "site1\ntopic readwrite #", "edge1" },
        new[] { "node", "site1", "edge1\ntopic readwrite #" },
        new[] { "agent", "site1", "miner-7\ntopic readwrite #" },
    };

    [Theory]
    [MemberData(nameof(NamesWithASecondLine))]
    public void A_name_with_a_second_line_is_refused_and_the_acl_is_left_as_it_was(string[] account)
    {
        if (!Shell.Require(output, "mosquitto", "mosquitto_passwd"))
        {
            return;
        }

        using var dir = new TempDir("edge-setup-");
        Shell.Result result = Shell.Run("/bin/sh", [Path.Combine(Shell.DeployDir, "mosquitto", "setup.sh"), "--dir", dir.Path, "--secrets", dir["secrets"], .. account]);
        Assert.True(result.ExitCode == 2, result.All);
        string acl = dir["edge.acl"];
        string shipped = File.ReadAllText(Path.Combine(Shell.DeployDir, "mosquitto", "edge.acl"));
        Assert.True(!File.Exists(acl) || File.ReadAllText(acl) == shipped, $"the ACL was changed:\n{(File.Exists(acl) ? File.ReadAllText(acl) : "")}");
        Assert.False(File.Exists(dir["edge.passwd"]) && File.ReadAllText(dir["edge.passwd"]).Contains("topic", StringComparison.Ordinal));
    }
}
