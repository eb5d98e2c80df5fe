using Xunit.Abstractions;

namespace Edge.Tests.Deploy;

/// <summary>
/// The parts a staging root cannot show — the edge user, group membership, ownership, the maintainer scripts, dpkg's
/// conffile handling, removal and purge — run for real by install.sh and dpkg, inside sandbox.sh: a private mount
/// namespace where /etc, /opt, /usr and /var are overlays that vanish afterwards. Needs root (CI runs as root); the
/// script inside prints "fact NAME VALUE" lines that the assertions read.
/// </summary>
public sealed class LiveInstallTests : IClassFixture<PublishedBuild>, IDisposable
{
    private readonly PublishedBuild _build;
    private readonly ITestOutputHelper _output;
    private readonly TempDir _tmp = new("edge-live-");

    public LiveInstallTests(PublishedBuild build, ITestOutputHelper output)
    {
        _build = build;
        _output = output;
    }

    public void Dispose() => _tmp.Dispose();

    private static string Sandbox => Path.Combine(Shell.RepoRoot, "tests", "Edge.Tests", "Deploy", "sandbox.sh");

    /// <summary>True when this process may make a private mount namespace with overlays (root). Fails under CI.</summary>
    private bool CanSandbox()
    {
        if (!Shell.Require(_output, "util-linux", "unshare"))
        {
            return false;
        }

        string probe = _tmp["probe"];
        Directory.CreateDirectory(probe);
        Shell.Result r = Shell.Run("/bin/bash", [Sandbox, probe, "true"]);
        if (r.ExitCode == 0)
        {
            return true;
        }

        if (Shell.InCi)
        {
            Assert.Fail($"CI=true but no private mount namespace with overlays (run the tests as root):\n{r.All}");
        }

        _output.WriteLine($"SKIPPED: cannot make a private mount namespace here (needs root):\n{r.All}");
        return false;
    }

    /// <summary>Runs <paramref name="script"/> (bash) in a fresh sandbox; returns its "fact" lines as a lookup.</summary>
    private (Shell.Result Result, ILookup<string, string> Facts) InSandbox(string script)
    {
        string dir = _tmp["sandbox-" + Guid.NewGuid().ToString("N")[..8]];
        Directory.CreateDirectory(dir);
        Shell.Result r = Shell.Run("/bin/bash", [Sandbox, dir, "/bin/bash", "-c", "set -u\nfact() { echo \"fact $1 $2\"; }\n" + script],
            timeout: TimeSpan.FromSeconds(120));
        ILookup<string, string> facts = r.Out.Split('\n')
            .Where(l => l.StartsWith("fact ", StringComparison.Ordinal))
            .Select(l => l.Split(' ', 3))
            .ToLookup(f => f[1], f => f.Length > 2 ? f[2] : "");
        return (r, facts);
    }

    private static string One(ILookup<string, string> facts, string name, Shell.Result r)
    {
        Assert.True(facts[name].Count() == 1, $"fact '{name}' missing or repeated:\n{r.All}");
        return facts[name].Single();
    }

    [Fact]
    public void Install_sh_creates_the_user_owns_the_files_right_and_runs_twice_cleanly()
    {
        if (!CanSandbox())
        {
            return;
        }

        string install = Path.Combine(Shell.DeployDir, "install.sh");
        string rig = Path.Combine(Shell.RepoRoot, "hardware", "rigs", "pi4-bench-2x-ina226.json");
        (Shell.Result r, ILookup<string, string> f) = InSandbox($$"""
            getent passwd edge >/dev/null && { echo "an edge user exists before the install" >&2; exit 9; }
            bash '{{install}}' --from '{{_build.Dir}}' --rig '{{rig}}'; fact first $?
            echo '{ "Edge": { "Site": "edited" } }' > /etc/edge/appsettings.json
            bash '{{install}}' --from '{{_build.Dir}}'; fact second $?
            fact users "$(grep -c '^edge:' /etc/passwd)"
            fact shell "$(getent passwd edge | cut -d: -f7)"
            fact home "$(getent passwd edge | cut -d: -f6)"
            fact groups "$(id -nG edge)"
            fact dialout-exists "$(getent group dialout >/dev/null && echo yes || echo no)"
            fact config "$(stat -c '%U:%G %a' /etc/edge/appsettings.json)"
            fact config-text "$(tr -d '\n' < /etc/edge/appsettings.json)"
            fact rig "$(stat -c '%U:%G %a' /etc/edge/rig.json)"
            fact password "$(stat -c '%U:%G %a %s' /etc/edge/mqtt.password)"
            fact state "$(stat -c '%U:%G %a' /var/lib/edge)"
            fact launcher "$(stat -c '%U:%G %a' /opt/edge/edge)"
            fact help "$(su -s /bin/sh edge -c '/usr/local/bin/edge --help' | grep -c '^Commands:')"
            fact reads-config "$(su -s /bin/sh edge -c 'cat /etc/edge/appsettings.json' >/dev/null && echo yes || echo no)"
            """);
        Assert.True(r.ExitCode == 0, r.All);
        Assert.Equal("0", One(f, "first", r));
        Assert.Equal("0", One(f, "second", r));
        Assert.Equal("1", One(f, "users", r));
        Assert.EndsWith("nologin", One(f, "shell", r), StringComparison.Ordinal);
        Assert.Equal("/var/lib/edge", One(f, "home", r));
        string[] groups = One(f, "groups", r).Split(' ');
        Assert.Contains("edge", groups);
        if (One(f, "dialout-exists", r) == "yes")
        {
            Assert.Contains("dialout", groups);
        }

        Assert.Equal("root:edge 640", One(f, "config", r));
        Assert.Equal("{ \"Edge\": { \"Site\": \"edited\" } }", One(f, "config-text", r));
        Assert.Equal("root:edge 640", One(f, "rig", r));
        Assert.Equal("root:edge 640 0", One(f, "password", r));
        Assert.Equal("edge:edge 750", One(f, "state", r));
        Assert.Equal("root:root 755", One(f, "launcher", r));
        Assert.Equal("1", One(f, "help", r));
        Assert.Equal("yes", One(f, "reads-config", r));
    }

    [Fact]
    public void The_deb_installs_enables_keeps_its_conffile_removes_and_purges()
    {
        if (!CanSandbox() || !Shell.Require(_output, "dpkg", "dpkg", "dpkg-deb"))
        {
            return;
        }

        Shell.Result built = Shell.Script("build-deb.sh", ["--from", _build.Dir, "--version", "2.0.0~live", "--out", _tmp["out"]]);
        Assert.True(built.ExitCode == 0, built.All);
        string deb = built.Out.Trim();

        // --force-depends: the .NET runtime package is not installed here (this machine has the SDK from elsewhere).
        (Shell.Result r, ILookup<string, string> f) = InSandbox($$"""
            getent passwd edge >/dev/null && { echo "an edge user exists before the install" >&2; exit 9; }
            dpkg -i --force-depends '{{deb}}'; fact install $?
            fact status "$(dpkg-query -W -f='${Status} ${Version}' edge)"
            fact user "$(id -un edge)"
            fact config "$(stat -c '%U:%G %a' /etc/edge/appsettings.json)"
            fact state "$(stat -c '%U:%G %a' /var/lib/edge)"
            fact password "$(stat -c '%U:%G %a %s' /etc/edge/mqtt.password)"
            fact enabled "$(readlink /etc/systemd/system/multi-user.target.wants/edge.service)"
            fact command "$(readlink /usr/bin/edge)"
            echo '{ "edited": true }' > /etc/edge/appsettings.json
            echo '{ "name": "site rig" }' > /etc/edge/rig.json
            dpkg -i --force-depends '{{deb}}'; fact reinstall $?
            fact config-after-reinstall "$(tr -d '\n' < /etc/edge/appsettings.json)"
            dpkg -r edge; fact remove $?
            fact status-removed "$(dpkg-query -W -f='${Status}' edge)"
            fact program-removed "$(test -e /opt/edge/lib/edge.dll && echo no || echo yes)"
            fact config-after-remove "$(tr -d '\n' < /etc/edge/appsettings.json)"
            dpkg -P edge; fact purge $?
            fact config-purged "$(test -e /etc/edge/appsettings.json && echo no || echo yes)"
            fact password-purged "$(test -e /etc/edge/mqtt.password && echo no || echo yes)"
            fact state-purged "$(test -e /var/lib/edge && echo no || echo yes)"
            fact enabled-purged "$(test -L /etc/systemd/system/multi-user.target.wants/edge.service && echo no || echo yes)"
            fact rig-kept "$(test -e /etc/edge/rig.json && echo yes || echo no)"
            fact known "$(dpkg-query -W edge >/dev/null 2>&1 && echo yes || echo no)"
            """);
        Assert.True(r.ExitCode == 0, r.All);
        Assert.Equal("0", One(f, "install", r));
        Assert.Equal("install ok installed 2.0.0~live", One(f, "status", r));
        Assert.Equal("edge", One(f, "user", r));
        Assert.Equal("root:edge 640", One(f, "config", r));
        Assert.Equal("edge:edge 750", One(f, "state", r));
        Assert.Equal("root:edge 640 0", One(f, "password", r));
        Assert.Equal("/lib/systemd/system/edge.service", One(f, "enabled", r));
        Assert.Equal("/opt/edge/edge", One(f, "command", r));
        Assert.Equal("0", One(f, "reinstall", r));
        Assert.Equal("{ \"edited\": true }", One(f, "config-after-reinstall", r));
        Assert.Equal("0", One(f, "remove", r));
        Assert.Equal("deinstall ok config-files", One(f, "status-removed", r));
        Assert.Equal("yes", One(f, "program-removed", r));
        Assert.Equal("{ \"edited\": true }", One(f, "config-after-remove", r));
        Assert.Equal("0", One(f, "purge", r));
        Assert.Equal("yes", One(f, "config-purged", r));
        Assert.Equal("yes", One(f, "password-purged", r));
        Assert.Equal("yes", One(f, "state-purged", r));
        Assert.Equal("yes", One(f, "enabled-purged", r));
        Assert.Equal("yes", One(f, "rig-kept", r));
        Assert.Equal("no", One(f, "known", r));
    }
}
