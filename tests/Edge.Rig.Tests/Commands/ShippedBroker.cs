using System.Globalization;
using Edge.Rig.Tests.Infrastructure;

namespace Edge.Rig.Tests.Commands;

/// <summary>
/// A real mosquitto running the shipped deploy/mosquitto/edge.conf and edge.acl, with its accounts made by the shipped
/// setup.sh: node site1/edge1 (edge-site1-edge1, -spb, -check), node site1/edge2, operators alice, bob and mallory,
/// viewer grafana, bench accounts bench-pub and bench-sub. Only edge.conf's paths and loopback port are rewritten, and its TLS listener is left out (the
/// permissions are the same on both listeners; tests/Edge.Tests/Deploy covers TLS).
/// </summary>
internal sealed class ShippedBroker : IDisposable
{
    public const string Site = "site1";
    public const string Node = "edge1";
    public const string EdgeUser = "edge-site1-edge1";
    private readonly TempDir _dir = new("edge-shipped-mosquitto-");
    private readonly ChildProcess _broker;

    public ShippedBroker(params string[] agents)
    {
        _dir.Create();
        string deploy = Path.Combine(RepoRoot, "deploy", "mosquitto");
        Setup(deploy, "node", Site, Node);
        Setup(deploy, "node", Site, "edge2");
        Setup(deploy, "operator", "alice");
        Setup(deploy, "operator", "bob");
        Setup(deploy, "operator", "mallory");
        Setup(deploy, "viewer", "grafana");
        Setup(deploy, "bench", "bench");
        foreach (string agent in agents)
        {
            Setup(deploy, "agent", Site, agent); // node agents (setup.sh agent SITE NAME)
        }

        Port = Mosquitto.FreePort();
        string conf = File.ReadAllText(Path.Combine(deploy, "edge.conf"));
        int tls = conf.IndexOf("\nlistener 8883\n", StringComparison.Ordinal);
        Assert.True(tls > 0, "deploy/mosquitto/edge.conf no longer has its TLS listener block: update this fixture");
        conf = conf[..tls];
        conf = Rewrite(conf, "/etc/mosquitto/edge.passwd", _dir["edge.passwd"]);
        conf = Rewrite(conf, "/etc/mosquitto/edge.acl", _dir["edge.acl"]);
        conf = Rewrite(conf, "listener 1883 127.0.0.1\n", $"listener {Port.ToString(CultureInfo.InvariantCulture)} 127.0.0.1\n");
        Directory.CreateDirectory(_dir["conf.d"]);
        File.WriteAllText(Path.Combine(_dir["conf.d"], "edge.conf"), conf);
        File.WriteAllText(_dir["mosquitto.conf"], $"""
            persistence false
            log_dest stderr
            log_type error
            log_type warning
            log_type notice
            log_type information
            include_dir {_dir["conf.d"]}

            """);
        _broker = new ChildProcess(Peers.Mosquitto, ["-c", _dir["mosquitto.conf"]]);
        _broker.WaitForLine(l => l.Contains(" running", StringComparison.Ordinal), TimeSpan.FromSeconds(15), "'mosquitto … running'");
    }

    /// <summary>The repository (where deploy/ is), found upwards from the test binaries.</summary>
    public static string RepoRoot
    {
        get
        {
            for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
            {
                if (File.Exists(Path.Combine(d.FullName, "deploy", "mosquitto", "edge.acl")))
                {
                    return d.FullName;
                }
            }

            throw new InvalidOperationException("deploy/mosquitto/edge.acl not found above " + AppContext.BaseDirectory);
        }
    }

    public int Port { get; }

    public string Log => _broker.Log;

    public string Acl => File.ReadAllText(_dir["edge.acl"]);

    /// <summary>The password file setup.sh wrote for <paramref name="user"/>.</summary>
    public string PasswordFile(string user) => Path.Combine(_dir["secrets"], user + ".password");

    /// <summary>The directory of the password files setup.sh wrote (<c>{user}.password</c>).</summary>
    public string SecretsDirectory => _dir["secrets"];

    public string Password(string user) => File.ReadAllText(PasswordFile(user)).Trim();

    /// <summary>Options for the in-process daemon: node site1/edge1 on this broker with its own account.</summary>
    public string[] DaemonOverrides(params string[] more) =>
    [
        "Mqtt:Enabled=true", "Mqtt:Host=127.0.0.1", $"Mqtt:Port={Port.ToString(CultureInfo.InvariantCulture)}",
        $"Mqtt:Credentials:Username={EdgeUser}", $"Mqtt:Credentials:PasswordFile={PasswordFile(EdgeUser)}",
        $"Edge:Site={Site}", $"Edge:Node={Node}", .. more,
    ];

    /// <summary>mosquitto_pub/_sub arguments to connect as <paramref name="user"/>.</summary>
    public string[] As(string user) => ["-h", "127.0.0.1", "-p", Port.ToString(CultureInfo.InvariantCulture), "-u", user, "-P", Password(user)];

    /// <summary>Publishes one QoS 1 message with MQTT 5 (so a refusal shows as "Not authorized"); returns the output.</summary>
    public (int ExitCode, string Output) Publish(string user, string topic, string payload, bool retain = false, string? clientId = null)
    {
        var args = new List<string>(As(user)) { "-V", "mqttv5", "-q", "1", "-t", topic, "-m", payload };
        if (retain)
        {
            args.Add("-r");
        }

        if (clientId is not null)
        {
            args.AddRange(["-i", clientId]);
        }

        using var p = new ChildProcess(Peers.MosquittoPub, args);
        int code = p.WaitForExit(TimeSpan.FromSeconds(20));
        return (code, p.Log);
    }

    public void Dispose()
    {
        _broker.Dispose();
        _dir.Dispose();
    }

    private void Setup(string deploy, params string[] args)
    {
        using var p = new ChildProcess("/bin/sh", [Path.Combine(deploy, "setup.sh"), "--dir", _dir.Path, "--secrets", _dir["secrets"], .. args]);
        int code = p.WaitForExit(TimeSpan.FromSeconds(30));
        Assert.True(code == 0, $"setup.sh {string.Join(' ', args)} exited {code}:\n{p.Log}");
    }

    private static string Rewrite(string conf, string from, string to)
    {
        Assert.True(conf.Contains(from, StringComparison.Ordinal), $"deploy/mosquitto/edge.conf no longer contains '{from.Trim()}': update this fixture");
        return conf.Replace(from, to, StringComparison.Ordinal);
    }
}
