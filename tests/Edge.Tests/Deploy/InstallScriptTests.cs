namespace Edge.Tests.Deploy;

/// <summary>
/// deploy/install.sh into a staging root (<c>--root</c>: no user, no systemctl): the tree it lays out, that a second
/// run keeps the configuration, that the installed launcher starts Edge on the real .NET runtime, and its errors.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class InstallScriptTests : IClassFixture<PublishedBuild>, IDisposable
{
    private readonly PublishedBuild _build;
    private readonly TempDir _tmp = new("edge-install-");

    public InstallScriptTests(PublishedBuild build) => _build = build;

    public void Dispose() => _tmp.Dispose();

    private string Root => _tmp["root"];

    private string InRoot(string path) => Path.Combine(Root, path.TrimStart('/'));

    private Shell.Result Install(params string[] extra) => InstallWith(null, extra);

    private Shell.Result InstallWith(IReadOnlyDictionary<string, string?>? env, params string[] extra) =>
        Shell.Script("install.sh", new[] { "--root", Root, "--from", _build.Dir }.Concat(extra), env);

    [Fact]
    public void A_staged_install_lays_out_program_configuration_unit_and_docs()
    {
        Shell.Result r = Install("--version", "9.8.7-test");
        Assert.True(r.ExitCode == 0, r.All);

        string launcher = InRoot("/opt/edge/edge");
        Assert.True(File.Exists(launcher), r.All);
        Assert.True(File.GetUnixFileMode(launcher).HasFlag(UnixFileMode.UserExecute | UnixFileMode.OtherExecute));
        string launcherText = File.ReadAllText(launcher);
        Assert.StartsWith("#!/bin/sh", launcherText, StringComparison.Ordinal);
        Assert.DoesNotContain("@DOTNET_MAJOR@", launcherText, StringComparison.Ordinal);
        Assert.Contains("major=10", launcherText, StringComparison.Ordinal);

        foreach (string name in _build.InstalledFiles)
        {
            string installed = InRoot($"/opt/edge/lib/{name}");
            Assert.True(File.Exists(installed), $"{name} was not installed");
            Assert.Equal(File.ReadAllBytes(Path.Combine(_build.Dir, name)), File.ReadAllBytes(installed));
        }

        Assert.False(File.Exists(InRoot("/opt/edge/lib/edge")), "the native app host must not be installed");

        Assert.Equal(File.ReadAllText(Path.Combine(Shell.DeployDir, "appsettings.example.json")), File.ReadAllText(InRoot("/etc/edge/appsettings.json")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(InRoot("/etc/edge/appsettings.json")));
        Assert.Equal(0, new FileInfo(InRoot("/etc/edge/mqtt.password")).Length);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(InRoot("/etc/edge/mqtt.password")));
        Assert.Equal(File.ReadAllText(Path.Combine(Shell.DeployDir, "edge.service")), File.ReadAllText(InRoot("/etc/systemd/system/edge.service")));
        Assert.Equal(File.ReadAllText(Path.Combine(Shell.DeployDir, "60-edge.rules")), File.ReadAllText(InRoot("/etc/udev/rules.d/60-edge.rules")));
        Assert.Equal("/opt/edge/edge", new FileInfo(InRoot("/usr/local/bin/edge")).LinkTarget);

        Assert.Equal(File.ReadAllText(Path.Combine(Shell.DeployDir, "README.md")), File.ReadAllText(InRoot("/opt/edge/DEPLOY.md")));
        Assert.Equal("9.8.7-test\n", File.ReadAllText(InRoot("/opt/edge/VERSION")));
        Assert.True(File.Exists(InRoot("/opt/edge/mosquitto/edge.conf")));
        Assert.True(File.Exists(InRoot("/opt/edge/mosquitto/edge.acl")));
        string[] rigs = Directory.GetFiles(Path.Combine(Shell.RepoRoot, "hardware", "rigs"), "*.json");
        Assert.NotEmpty(rigs);
        foreach (string rig in rigs)
        {
            Assert.True(File.Exists(InRoot($"/opt/edge/rigs/{Path.GetFileName(rig)}")), rig);
        }

        // Staging touches nothing of the machine's: no state folder, no rig (none was given).
        Assert.False(Directory.Exists(InRoot("/var/lib/edge")));
        Assert.False(File.Exists(InRoot("/etc/edge/rig.json")));
    }

    [Fact]
    public void A_second_run_keeps_the_configuration_and_replaces_the_program()
    {
        string rig = Path.Combine(Shell.RepoRoot, "hardware", "rigs", "pi4-bench-2x-ina226.json");
        Shell.Result first = Install("--rig", rig);
        Assert.True(first.ExitCode == 0, first.All);
        Assert.Equal(File.ReadAllText(rig), File.ReadAllText(InRoot("/etc/edge/rig.json")));

        const string edited = "{ \"Edge\": { \"Site\": \"edited-by-the-site-engineer\" } }\n";
        File.WriteAllText(InRoot("/etc/edge/appsettings.json"), edited);
        File.WriteAllText(InRoot("/etc/edge/rig.json"), "{ \"name\": \"edited\" }\n");
        File.WriteAllText(InRoot("/etc/edge/mqtt.password"), "s3cret\n");
        File.WriteAllText(InRoot("/opt/edge/lib/Stale.FromAnOldVersion.dll"), "old");
        string otherConfig = _tmp["other.json"];
        File.WriteAllText(otherConfig, "{ }\n");

        Shell.Result second = Install("--config", otherConfig, "--rig", rig);
        Assert.True(second.ExitCode == 0, second.All);
        Assert.Equal(edited, File.ReadAllText(InRoot("/etc/edge/appsettings.json")));
        Assert.Equal("{ \"name\": \"edited\" }\n", File.ReadAllText(InRoot("/etc/edge/rig.json")));
        Assert.Equal("s3cret\n", File.ReadAllText(InRoot("/etc/edge/mqtt.password")));
        Assert.Contains("kept the existing /etc/edge/appsettings.json", second.Out, StringComparison.Ordinal);
        Assert.Contains("/etc/edge/appsettings.json differs from", second.Err, StringComparison.Ordinal);
        Assert.False(File.Exists(InRoot("/opt/edge/lib/Stale.FromAnOldVersion.dll")), "the old program folder must be replaced whole");
        Assert.True(File.Exists(InRoot("/opt/edge/lib/edge.dll")));
        Assert.False(Directory.Exists(InRoot("/opt/edge/lib.new")) || Directory.Exists(InRoot("/opt/edge/lib.old")));
    }

    [Fact]
    public void The_installed_launcher_runs_edge_on_the_real_dotnet_runtime()
    {
        Shell.Result r = Install();
        Assert.True(r.ExitCode == 0, r.All);

        Shell.Result help = Shell.Run(InRoot("/opt/edge/edge"), ["--help"]);
        Assert.True(help.ExitCode == 0, help.All);
        Assert.Contains("Commands:", help.Out, StringComparison.Ordinal);
        Assert.Contains("replay", help.Out, StringComparison.Ordinal);

        // Through the symlink a site engineer types (/usr/local/bin/edge -> /opt/edge/edge), resolved inside the root.
        string link = _tmp["edge-link"];
        File.CreateSymbolicLink(link, InRoot("/opt/edge/edge"));
        Shell.Result viaLink = Shell.Run(link, ["--help"]);
        Assert.True(viaLink.ExitCode == 0, viaLink.All);
    }

    [Fact]
    public void A_runtime_in_an_unusual_place_is_recorded_and_the_launcher_hands_it_the_arguments()
    {
        // A fake .NET 10 install the service would not find on its own: a `dotnet` that prints its arguments.
        string fake = _tmp["fake-dotnet"];
        Directory.CreateDirectory(Path.Combine(fake, "shared", "Microsoft.NETCore.App", "10.0.99"));
        File.WriteAllText(Path.Combine(fake, "dotnet"), "#!/bin/sh\nfor a in \"$@\"; do echo \"arg:$a\"; done\n");
        File.SetUnixFileMode(Path.Combine(fake, "dotnet"), (UnixFileMode)Convert.ToInt32("755", 8));

        Shell.Result r = InstallWith(new Dictionary<string, string?> { ["DOTNET_ROOT"] = fake });
        Assert.True(r.ExitCode == 0, r.All);
        Assert.Contains($"dotnet={fake}/dotnet runtime=10.0.99", r.Out, StringComparison.Ordinal);
        Assert.Equal(fake + "\n", File.ReadAllText(InRoot("/opt/edge/dotnet-root")));

        // Without DOTNET_ROOT (as under systemd) the launcher reads /opt/edge/dotnet-root and execs dotnet edge.dll ARGS.
        Shell.Result run = Shell.Run(InRoot("/opt/edge/edge"), ["run", "--config", "/etc/edge/appsettings.json"]);
        Assert.True(run.ExitCode == 0, run.All);
        Assert.Equal(
            [$"arg:{InRoot("/opt/edge/lib/edge.dll")}", "arg:run", "arg:--config", "arg:/etc/edge/appsettings.json"],
            run.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void No_runtime_is_exit_code_3_with_install_instructions_and_nothing_installed()
    {
        string empty = _tmp["no-dotnet-here"];
        Directory.CreateDirectory(empty);

        Shell.Result r = InstallWith(new Dictionary<string, string?> { ["DOTNET_ROOT"] = empty });
        Assert.True(r.ExitCode == 3, r.All);
        Assert.Contains("no .NET 10 runtime", r.Err, StringComparison.Ordinal);
        Assert.Contains("apt-get install dotnet-runtime-10.0", r.Err, StringComparison.Ordinal);
        Assert.Contains("dotnet-install.sh --runtime dotnet --channel 10.0 --install-dir /opt/dotnet", r.Err, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Root), "nothing may be installed without a runtime");

        // The launcher itself says the same at start-up, with exit code 127 (which the unit does not restart on).
        Shell.Result staged = Install("--skip-runtime-check");
        Assert.True(staged.ExitCode == 0, staged.All);
        Shell.Result start = Shell.Run(InRoot("/opt/edge/edge"), ["run"], new Dictionary<string, string?> { ["DOTNET_ROOT"] = empty });
        Assert.True(start.ExitCode == 127, start.All);
        Assert.Contains("no .NET 10 runtime found", start.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void A_dry_run_changes_nothing_and_says_what_it_would_do()
    {
        Shell.Result r = Install("--dry-run");
        Assert.True(r.ExitCode == 0, r.All);
        Assert.Contains("would run: install -m 0755", r.Out, StringComparison.Ordinal);
        Assert.Contains($"{Root}/etc/systemd/system/edge.service", r.Out, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Root), "a dry run must not create anything");
    }

    [Fact]
    public void A_file_at_the_bin_link_path_is_never_replaced_and_nothing_is_installed()
    {
        string victim = InRoot("/usr/local/bin/python3");
        Directory.CreateDirectory(Path.GetDirectoryName(victim)!);
        File.WriteAllText(victim, "not Edge's");

        Shell.Result r = Install("--bin-link", "/usr/local/bin/python3");

        Assert.True(r.ExitCode == 1, r.All);
        Assert.Contains("refusing to replace /usr/local/bin/python3", r.Err, StringComparison.Ordinal);
        Assert.Equal(FileAttributes.Normal, File.GetAttributes(victim) & (FileAttributes.ReparsePoint | FileAttributes.Normal));
        Assert.Equal("not Edge's", File.ReadAllText(victim));
        Assert.False(Directory.Exists(InRoot("/opt/edge")), "nothing may be installed when the link is refused");

        // Edge's own link is replaced on a re-install, as before.
        Assert.True(Install("--bin-link", "/usr/local/bin/edge").ExitCode == 0);
        Shell.Result again = Install("--bin-link", "/usr/local/bin/edge");
        Assert.True(again.ExitCode == 0, again.All);
        Assert.Equal("/opt/edge/edge", new FileInfo(InRoot("/usr/local/bin/edge")).LinkTarget);
    }

    public static TheoryData<string[], int, string> BadCommandLines => new()
    {
        { ["--from", "/nonexistent/publish"], 1, "is not a directory" },
        { ["--from", "{empty}"], 1, "is not a publish output of src/Edge" },
        { ["--frm", "x"], 2, "unknown option '--frm'" },
        { ["--config"], 2, "--config needs a value" },
        { ["--config", "/nonexistent/appsettings.json"], 1, "does not exist" },
        { ["--unit-dir", "relative/dir"], 2, "must be an absolute path" },
        { ["--bin-link", "edge"], 2, "must be an absolute path or 'none'" },
    };

    [Theory]
    [MemberData(nameof(BadCommandLines))]
    public void Bad_input_is_a_clear_error_and_installs_nothing(string[] args, int exitCode, string message)
    {
        string empty = _tmp["empty-publish"];
        Directory.CreateDirectory(empty);
        string[] resolved = args.Select(a => a == "{empty}" ? empty : a).ToArray();
        bool overridesFrom = resolved.Contains("--from");

        Shell.Result r = Shell.Script("install.sh",
            (overridesFrom ? ["--root", Root] : new[] { "--root", Root, "--from", _build.Dir }).Concat(resolved));
        Assert.True(r.ExitCode == exitCode, r.All);
        Assert.Contains(message, r.Err, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Root), "a failed install must not create anything");
    }
}
