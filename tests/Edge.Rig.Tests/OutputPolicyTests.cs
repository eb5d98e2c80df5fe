using System.Text;
using System.Text.Json;
using Edge.Rig.Tests.Infrastructure;
using Edge.Tests.Shared;

namespace Edge.Rig.Tests;

/// <summary>
/// Issue 18, "writing an output must never replace what it writes to": every output option of the built <c>edge</c>,
/// pointed at a character device (a /dev/null node made in a temporary directory when root, as in CI; a FIFO
/// otherwise), a FIFO with a reader and a symbolic link, leaves each as it was — checked with coreutils' stat — and the
/// data arrives where a user expects it. Standard output (<c>-</c>, <c>/dev/stdout</c>) carries exactly the file.
/// </summary>
[Collection(DaemonCollection.Name)]
public sealed class OutputPolicyTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);
    private readonly TempDir _dir = new("edge-output-");
    private readonly ITestOutputHelper _output;

    public OutputPolicyTests(ITestOutputHelper output)
    {
        _output = output;
        _dir.Create();
    }

    public void Dispose() => _dir.Dispose();

    /// <summary>Each output option: the command line around it and what its content must look like.</summary>
    public static TheoryData<string> Options => new() { "replay --json", "replay --series", "replay --plot", "bench loop --json", "bench mqtt --json", "bench mqtt --payload-file" };

    [Theory]
    [MemberData(nameof(Options))]
    public void A_character_device_stays_a_character_device(string option)
    {
        string dev = SpecialFiles.NullDevice(_dir.Path);
        string type = SpecialFiles.TypeOf(dev);
        SpecialFiles.FifoReader? reader = type == SpecialFiles.FifoType ? SpecialFiles.ReadFifo(dev) : null;

        RunOk(option, dev);

        byte[]? received = reader?.Finish(Timeout);
        Assert.Equal(type, SpecialFiles.TypeOf(dev));
        if (SpecialFiles.IsRoot)
        {
            Assert.Equal(SpecialFiles.CharacterDeviceType, type);
        }
        else
        {
            AssertContent(option, received!);
        }
    }

    [Theory]
    [MemberData(nameof(Options))]
    public void A_fifo_receives_the_output_and_stays_a_fifo(string option)
    {
        string fifo = SpecialFiles.Fifo(_dir.Path);
        SpecialFiles.FifoReader reader = SpecialFiles.ReadFifo(fifo);

        RunOk(option, fifo);

        AssertContent(option, reader.Finish(Timeout));
        Assert.Equal(SpecialFiles.FifoType, SpecialFiles.TypeOf(fifo));
    }

    [Theory]
    [MemberData(nameof(Options))]
    public void A_symbolic_link_is_followed_and_stays_a_link(string option)
    {
        Directory.CreateDirectory(_dir["real"]);
        string target = _dir["real/out" + Extension(option)];
        File.WriteAllText(target, "old content");
        string link = _dir["link" + Extension(option)];
        File.CreateSymbolicLink(link, target);

        RunOk(option, link);

        Assert.Equal(SpecialFiles.SymlinkType, SpecialFiles.TypeOf(link));
        Assert.Equal(target, new FileInfo(link).LinkTarget);
        AssertContent(option, File.ReadAllBytes(target));
    }

    [Theory]
    [InlineData("replay --json", "-")]
    [InlineData("replay --json", "/dev/stdout")]
    [InlineData("replay --plot", "-")]
    [InlineData("bench loop --json", "/dev/stdout")]
    public void Standard_output_carries_exactly_the_file(string option, string path)
    {
        // Through a shell redirection into a regular file, as a user would: `edge replay --json - > r.json`.
        string captured = _dir["stdout.txt"];
        string edge = string.Join(' ', EdgeExecutable.Command().Select(a => $"'{a}'"));
        string args = string.Join(' ', Args(option, path).Select(a => $"'{a}'"));
        using var shell = new ChildProcess("/bin/sh", ["-c", $"exec {edge} {args} > '{captured}'"]);
        int code = shell.WaitForExit(Timeout);
        Assert.True(code == 0, shell.Log);
        AssertContent(option, File.ReadAllBytes(captured));
        Assert.Equal(SpecialFiles.RegularType, SpecialFiles.TypeOf(captured));
    }

    [Theory]
    [InlineData("replay --json")]
    [InlineData("bench loop --json")]
    public void A_directory_or_a_missing_directory_is_exit_2_naming_the_option(string option)
    {
        string flag = option.Split(' ')[^1];
        foreach (string path in new[] { _dir.Path, _dir["missing/out.json"] })
        {
            using ChildProcess edge = EdgeExecutable.Start(Args(option, path));
            int code = edge.WaitForExit(Timeout);
            Assert.True(code == 2, edge.Log);
            Assert.Contains($"{flag}: ", edge.Log, StringComparison.Ordinal);
        }

        Assert.False(Directory.Exists(_dir["missing"]));
    }

    [Fact]
    public void The_state_file_follows_a_link_and_refuses_a_device()
    {
        Directory.CreateDirectory(_dir["real"]);
        string link = _dir["state.json"];
        File.CreateSymbolicLink(link, _dir["real/state.json"]);
        new Edge.Daemon.PersistedState { SocEstimatePct = 61.5, Starts = 3 }.Save(link);
        new Edge.Daemon.PersistedState { SocEstimatePct = 62.5, Starts = 4 }.Save(link);
        Assert.Equal(SpecialFiles.SymlinkType, SpecialFiles.TypeOf(link));
        Assert.Equal(62.5, Edge.Daemon.PersistedState.Load(_dir["real/state.json"], out string? problem).SocEstimatePct);
        Assert.Null(problem);

        string dev = SpecialFiles.NullDevice(_dir.Path);
        string type = SpecialFiles.TypeOf(dev);
        Assert.Throws<Edge.Runtime.Files.OutputFileException>(() => new Edge.Daemon.PersistedState().Save(dev));
        Assert.Equal(type, SpecialFiles.TypeOf(dev));
    }

    [Theory]
    [InlineData("Mqtt:Commands:AuditPath")]
    [InlineData("Mqtt:Outbox:SpoolPath")]
    public void A_store_option_naming_a_device_or_fifo_is_exit_2_before_anything_starts(string option)
    {
        string dev = SpecialFiles.NullDevice(_dir.Path);
        string fifo = SpecialFiles.Fifo(_dir.Path);
        foreach (string path in new[] { dev, fifo })
        {
            string type = SpecialFiles.TypeOf(path);
            using ChildProcess edge = EdgeExecutable.Start(["run", "--rig", "sim", "--duration", "1s", $"Edge:StateDirectory={_dir["state"]}", $"{option}={path}"]);
            int code = edge.WaitForExit(Timeout);
            Assert.True(code == 2, edge.Log);
            Assert.Contains(option, edge.Log, StringComparison.Ordinal);
            Assert.Contains("must be a regular file", edge.Log, StringComparison.Ordinal);
            Assert.Equal(type, SpecialFiles.TypeOf(path));
        }
    }

    private void RunOk(string option, string path)
    {
        using var broker = option.StartsWith("bench mqtt", StringComparison.Ordinal) ? new Mosquitto() : null;
        using ChildProcess edge = EdgeExecutable.Start(Args(option, path, broker?.Port));
        int code = edge.WaitForExit(Timeout);
        _output.WriteLine(edge.Log);
        Assert.True(code == 0, edge.Log);
    }

    private static string[] Args(string option, string path, int? brokerPort = null) => option switch
    {
        "replay --json" or "replay --series" or "replay --plot" =>
            ["replay", "--profile", "ai-training:duration_s=20", option.Split(' ')[1], path],
        "bench loop --json" => ["bench", "loop", "--period-ms", "2", "--cycles", "200", "--json", path],
        "bench mqtt --json" or "bench mqtt --payload-file" =>
            ["bench", "mqtt", "--host", "127.0.0.1", "--port", (brokerPort ?? 1).ToString(System.Globalization.CultureInfo.InvariantCulture), "--count", "50", "--qos", "1", option.Split(' ')[2], path],
        _ => throw new ArgumentOutOfRangeException(nameof(option)),
    };

    private static string Extension(string option) => option switch
    {
        "replay --series" => ".csv",
        "replay --plot" => ".svg",
        _ => ".json",
    };

    private static void AssertContent(string option, byte[] data)
    {
        string text = Encoding.UTF8.GetString(data);
        Assert.False(string.IsNullOrWhiteSpace(text), $"{option}: nothing arrived");
        switch (option)
        {
            case "replay --series":
                Assert.StartsWith("time_s,controller,", text, StringComparison.Ordinal);
                break;
            case "replay --plot":
                Assert.StartsWith("<svg", text, StringComparison.Ordinal);
                Assert.EndsWith("</svg>", text.TrimEnd(), StringComparison.Ordinal);
                break;
            case "bench mqtt --payload-file":
                using (JsonDocument payload = JsonDocument.Parse(text))
                {
                    Assert.True(payload.RootElement.TryGetProperty("seq", out _), text);
                }

                break;
            default:
                using (JsonDocument doc = JsonDocument.Parse(text))
                {
                    Assert.Equal(JsonValueKind.Object, doc.RootElement.ValueKind);
                }

                break;
        }
    }
}
