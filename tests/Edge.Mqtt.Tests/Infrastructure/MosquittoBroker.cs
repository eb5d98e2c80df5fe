using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Edge.Mqtt.Tests.Infrastructure;

/// <summary>
/// A private mosquitto on a free loopback port, with its own config, persistence and log in a temp directory. Never a
/// system service. Stop() is a clean SIGTERM (persistence saved), Kill() a SIGKILL, Restart() reuses port and files.
/// </summary>
internal sealed class MosquittoBroker : IDisposable
{
    private Process? _process;
    private readonly StringBuilder _log = new();

    private MosquittoBroker(string directory, int port, string config)
    {
        Directory = directory;
        Port = port;
        ConfigPath = Path.Combine(directory, "mosquitto.conf");
        File.WriteAllText(ConfigPath, config);
    }

    public string Directory { get; }

    public int Port { get; }

    public string ConfigPath { get; }

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>Starts a broker. <paramref name="extraConfig"/> lines are appended to the listener block.</summary>
    public static MosquittoBroker Start(bool persistence = false, string? extraConfig = null, string? listenerConfig = null)
    {
        string dir = Path.Combine(Path.GetTempPath(), "edge-mqtt-test-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(dir);
        int port = FreePort();
        var config = new StringBuilder();
        config.AppendLine($"listener {port} 127.0.0.1");
        config.AppendLine(listenerConfig ?? "allow_anonymous true");
        config.AppendLine("log_dest stderr");
        config.AppendLine("log_type error");
        config.AppendLine("log_type warning");
        config.AppendLine("log_type notice");
        config.AppendLine("log_type subscribe");
        config.AppendLine("max_queued_messages 100000");
        config.AppendLine("max_inflight_messages 100");
        if (persistence)
        {
            // Run as root, mosquitto would drop to user "mosquitto", which cannot write the test's directory.
            config.AppendLine("user root");
            config.AppendLine("persistence true");
            config.AppendLine($"persistence_location {dir}/");
            config.AppendLine("persistence_file mosquitto.db");
        }

        if (extraConfig is not null)
        {
            config.AppendLine(extraConfig);
        }

        var broker = new MosquittoBroker(dir, port, config.ToString());
        broker.Launch();
        return broker;
    }

    public static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    public void Launch()
    {
        _process = ProcessRunner.StartRaw(Peers.Mosquitto, ["-c", ConfigPath]);
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (_log) { _log.AppendLine(e.Data); } } };
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (_log) { _log.AppendLine(e.Data); } } };
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
        WaitUntilAccepting(TimeSpan.FromSeconds(10));
    }

    /// <summary>Clean stop (SIGTERM): mosquitto writes its persistence file.</summary>
    public void Stop()
    {
        if (_process is null)
        {
            return;
        }

        ProcessRunner.Terminate(_process);
        if (!_process.WaitForExit(TimeSpan.FromSeconds(10)))
        {
            _process.Kill();
        }

        _process.WaitForExit();
        _process.Dispose();
        _process = null;
    }

    /// <summary>Hard kill (SIGKILL): nothing is saved.</summary>
    public void Kill()
    {
        if (_process is null)
        {
            return;
        }

        _process.Kill();
        _process.WaitForExit();
        _process.Dispose();
        _process = null;
    }

    public void Restart()
    {
        Stop();
        Launch();
    }

    public void Dispose()
    {
        Kill();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private void WaitUntilAccepting(TimeSpan timeout)
    {
        var sw = Stopwatch.StartNew();
        while (true)
        {
            if (_process!.HasExited)
            {
                throw new InvalidOperationException($"mosquitto exited with {_process.ExitCode}: {Log}");
            }

            try
            {
                using var c = new TcpClient();
                c.Connect(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException) when (sw.Elapsed < timeout)
            {
                // Not listening yet: poll the port until it is (a condition, with a deadline).
                Thread.Sleep(20);
            }
        }
    }
}
