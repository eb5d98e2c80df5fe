using Edge.Rig.Tests.Infrastructure;

namespace Edge.Rig.Tests.Faults;

/// <summary>
/// A private mosquitto on a loopback port picked once, that the scenarios stop (SIGTERM or SIGKILL) and start again on
/// the same port. Sessions persist (saved every second and at a clean exit), so the capture's persistent QoS 1
/// subscription survives a restart and queues what Edge publishes before the subscriber is back.
/// </summary>
internal sealed class RestartableBroker : IDisposable
{
    private readonly TempDir _dir = new("edge-fault-broker-");
    private ChildProcess? _process;

    public RestartableBroker()
    {
        _dir.Create();
        // mosquitto started as root drops to its own user, which must be able to write the persistence file here.
        File.SetUnixFileMode(_dir.Path, (UnixFileMode)0x1FF);
        Port = Mosquitto.FreePort();
        File.WriteAllText(_dir["mosquitto.conf"], $"""
            listener {Port} 127.0.0.1
            allow_anonymous true
            persistence true
            persistence_location {_dir.Path}/
            autosave_interval 1
            max_queued_messages 100000
            log_dest stderr
            log_type error
            log_type warning
            log_type notice
            log_type information

            """);
        Start();
    }

    public int Port { get; }

    public bool Running => _process is { HasExited: false };

    public void Start()
    {
        _process?.Dispose();
        _process = new ChildProcess(Peers.Mosquitto, ["-c", _dir["mosquitto.conf"]]);
        _process.WaitForLine(l => l.Contains(" running", StringComparison.Ordinal), TimeSpan.FromSeconds(15), "'mosquitto … running'");
    }

    /// <summary>Sends <paramref name="signal"/> and waits for the broker to exit.</summary>
    public void Stop(int signal)
    {
        _process!.Signal(signal);
        _process.WaitForExit(TimeSpan.FromSeconds(15));
    }

    public string Log => _process?.Log ?? "";

    public void Dispose()
    {
        _process?.Dispose();
        _dir.Dispose();
    }
}
