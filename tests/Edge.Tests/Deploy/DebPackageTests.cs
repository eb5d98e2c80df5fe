using Xunit.Abstractions;

namespace Edge.Tests.Deploy;

/// <summary>
/// deploy/build-deb.sh: the package dpkg-deb builds, read back with dpkg-deb itself (--field, --info, --contents,
/// -x, -e): control fields, conffiles, maintainer scripts, files, modes and owners, checksums.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class DebPackageTests : IClassFixture<PublishedBuild>, IDisposable
{
    private readonly PublishedBuild _build;
    private readonly ITestOutputHelper _output;
    private readonly TempDir _tmp = new("edge-deb-");

    public DebPackageTests(PublishedBuild build, ITestOutputHelper output)
    {
        _build = build;
        _output = output;
    }

    public void Dispose() => _tmp.Dispose();

    private Shell.Result BuildDeb(params string[] extra) =>
        Shell.Script("build-deb.sh", new[] { "--from", _build.Dir, "--out", _tmp["out"] }.Concat(extra));

    private static string Field(string deb, string name)
    {
        Shell.Result r = Shell.Run("dpkg-deb", ["--field", deb, name]);
        Assert.True(r.ExitCode == 0, r.All);
        return r.Out.Trim();
    }

    [Fact]
    public void The_package_has_its_control_fields_conffiles_scripts_and_files()
    {
        if (!Shell.Require(_output, "dpkg", "dpkg-deb", "md5sum"))
        {
            return;
        }

        Shell.Result r = BuildDeb("--version", "1.2.3~test");
        Assert.True(r.ExitCode == 0, r.All);
        string deb = Path.Combine(_tmp["out"], "edge_1.2.3~test_all.deb");
        Assert.Equal(deb, r.Out.Trim());
        Assert.True(File.Exists(deb));

        Assert.Equal("edge", Field(deb, "Package"));
        Assert.Equal("1.2.3~test", Field(deb, "Version"));
        Assert.Equal("all", Field(deb, "Architecture"));
        Assert.Contains("dotnet-runtime-10.0", Field(deb, "Depends").Split(", "));
        Assert.True(int.Parse(Field(deb, "Installed-Size"), System.Globalization.CultureInfo.InvariantCulture) > 100);

        Shell.Result info = Shell.Run("dpkg-deb", ["--info", deb]);
        Assert.True(info.ExitCode == 0, info.All);
        foreach (string member in new[] { "control", "conffiles", "md5sums", "postinst", "prerm", "postrm" })
        {
            Assert.Contains($" {member} ", info.Out, StringComparison.Ordinal);
        }

        Shell.Result conffiles = Shell.Run("dpkg-deb", ["--info", deb, "conffiles"]);
        Assert.Equal("/etc/edge/appsettings.json", conffiles.Out.Trim());

        // --contents: "mode owner/group size date time ./path[ -> target]".
        Shell.Result contents = Shell.Run("dpkg-deb", ["--contents", deb]);
        Assert.True(contents.ExitCode == 0, contents.All);
        var entries = contents.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .ToDictionary(f => f[5].TrimEnd('/'), f => (Mode: f[0], Owner: f[1], Target: f.Length > 7 ? f[7] : null));
        Assert.All(entries.Values, e => Assert.Equal("root/root", e.Owner));
        Assert.Equal("-rwxr-xr-x", entries["./opt/edge/edge"].Mode);
        Assert.Equal("-rw-r-----", entries["./etc/edge/appsettings.json"].Mode);
        Assert.Equal("-rw-r--r--", entries["./lib/systemd/system/edge.service"].Mode);
        Assert.True(entries.ContainsKey("./lib/udev/rules.d/60-edge.rules"));
        Assert.Equal("/opt/edge/edge", entries["./usr/bin/edge"].Target);
        foreach (string name in _build.InstalledFiles)
        {
            // Native libraries for Windows and macOS are left out of a Linux package; every other file is in it.
            string[] parts = name.Split('/');
            bool foreignNative = parts.Length > 2 && parts[0] == "runtimes" && !parts[1].StartsWith("linux-", StringComparison.Ordinal) && parts[1] != "unix";
            Assert.True(entries.ContainsKey($"./opt/edge/lib/{name}") != foreignNative,
                foreignNative ? $"{name} (not for Linux) is in the package" : $"{name} is not in the package");
        }

        Assert.False(entries.ContainsKey("./opt/edge/lib/edge"), "the native app host must not be packaged (Architecture: all)");
        Assert.False(entries.Keys.Any(k => k.StartsWith("./var/", StringComparison.Ordinal)), "state is made by postinst/systemd, not shipped");
        Assert.False(entries.ContainsKey("./etc/edge/mqtt.password"), "the secret is made by postinst, never shipped");

        // Unpacked: the files are the repository's and the build's; md5sums matches them.
        string x = _tmp["x"], control = _tmp["control"];
        Assert.Equal(0, Shell.Run("dpkg-deb", ["-x", deb, x]).ExitCode);
        Assert.Equal(0, Shell.Run("dpkg-deb", ["-e", deb, control]).ExitCode);
        Assert.Equal(File.ReadAllText(Path.Combine(Shell.DeployDir, "edge.service")), File.ReadAllText(Path.Combine(x, "lib/systemd/system/edge.service")));
        Assert.Equal(File.ReadAllText(Path.Combine(Shell.DeployDir, "appsettings.example.json")), File.ReadAllText(Path.Combine(x, "etc/edge/appsettings.json")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(_build.Dir, "edge.dll")), File.ReadAllBytes(Path.Combine(x, "opt/edge/lib/edge.dll")));
        Assert.Equal("1.2.3~test\n", File.ReadAllText(Path.Combine(x, "opt/edge/VERSION")));
        Shell.Result sums = Shell.Run("md5sum", ["--check", "--quiet", Path.Combine(control, "md5sums")], workingDirectory: x);
        Assert.True(sums.ExitCode == 0, sums.All);

        foreach (string script in new[] { "postinst", "prerm", "postrm" })
        {
            string path = Path.Combine(control, script);
            Assert.True(File.GetUnixFileMode(path).HasFlag(UnixFileMode.UserExecute), script);
            Assert.Equal(File.ReadAllText(Path.Combine(Shell.DeployDir, "debian", script)), File.ReadAllText(path));
            Shell.Result syntax = Shell.Run("/bin/sh", ["-n", path]);
            Assert.True(syntax.ExitCode == 0, syntax.All);
        }

        string postinst = File.ReadAllText(Path.Combine(control, "postinst"));
        Assert.Contains("useradd --system", postinst, StringComparison.Ordinal);
        Assert.Contains("deb-systemd-helper enable edge.service", postinst, StringComparison.Ordinal);
        // Enabled, never started: the site engineer configures /etc/edge first (a message may tell them how to start it).
        string[] commands = postinst.Split('\n').Select(l => l.Trim())
            .Where(l => !l.StartsWith('#') && !l.StartsWith("echo ", StringComparison.Ordinal)).ToArray();
        Assert.DoesNotContain(commands, l => l.Contains("systemctl start", StringComparison.Ordinal)
            || l.Contains("systemctl restart", StringComparison.Ordinal) || l.Contains("deb-systemd-invoke", StringComparison.Ordinal));
    }

    [Fact]
    public void Without_a_version_it_takes_a_valid_debian_version_from_git()
    {
        if (!Shell.Require(_output, "dpkg", "dpkg-deb", "dpkg") || !Shell.Require(_output, "git", "git"))
        {
            return;
        }

        if (Shell.Run("git", ["-C", Shell.RepoRoot, "rev-parse", "--git-dir"]).ExitCode != 0)
        {
            _output.WriteLine("SKIPPED: the repository is not a git checkout here (build-deb.sh then needs --version).");
            return;
        }

        Shell.Result r = BuildDeb();
        Assert.True(r.ExitCode == 0, r.All);
        string deb = r.Out.Trim();
        string version = Field(deb, "Version");
        Assert.Equal(Path.Combine(_tmp["out"], $"edge_{version}_all.deb"), deb);
        Assert.Equal(0, Shell.Run("dpkg", ["--validate-version", version]).ExitCode);
        // Either the commit is named in it, or HEAD is exactly at a tag and the version is that tag.
        string head = Shell.Run("git", ["-C", Shell.RepoRoot, "rev-parse", "--short=7", "HEAD"]).Out.Trim();
        Shell.Result tag = Shell.Run("git", ["-C", Shell.RepoRoot, "describe", "--tags", "--exact-match"]);
        Assert.True(version.Contains(head, StringComparison.Ordinal) || (tag.ExitCode == 0 && version.StartsWith(tag.Out.Trim().TrimStart('v'), StringComparison.Ordinal)),
            $"version {version} names neither HEAD {head} nor its tag");
    }

    [Fact]
    public void A_bad_version_is_refused_before_anything_is_built()
    {
        if (!Shell.Require(_output, "dpkg", "dpkg-deb", "dpkg"))
        {
            return;
        }

        Shell.Result r = BuildDeb("--version", "v1.0");
        Assert.True(r.ExitCode == 2, r.All);
        Assert.Contains("not a valid Debian version", r.Err, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_tmp["out"]) && Directory.EnumerateFileSystemEntries(_tmp["out"]).Any());
    }
}
