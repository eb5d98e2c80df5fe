using System.Net;
using System.Net.Sockets;

namespace Edge.Tests.Deploy;

/// <summary>
/// A real mosquitto running deploy/mosquitto/edge.conf and edge.acl the way a site installs them: a main config like
/// Debian's /etc/mosquitto/mosquitto.conf (persistence, log_dest, include_dir conf.d) with edge.conf in conf.d —
/// rewritten only in its file paths and ports — a throwaway CA and broker certificate made with openssl, and the
/// users made with mosquitto_passwd. Both listeners on loopback ports picked here.
/// </summary>
public sealed class MosquittoBroker : IDisposable
{
    /// <summary>The node whose accounts setup.sh made (edge-site1-edge1, -spb, -check; and node site1/edge2).</summary>
    public const string Site = "site1";
    public const string Node = "edge1";

    private readonly TempDir _dir = new("edge-mosquitto-");
    private LineProcess? _broker;

    public MosquittoBroker()
    {
        Missing = new[] { "mosquitto", "mosquitto_passwd", "mosquitto_pub", "mosquitto_sub", "openssl" }
            .Where(t => Shell.Which(t) is null).ToArray();
        if (Missing.Length > 0)
        {
            return;
        }

        try
        {
            Start();
        }
        catch
        {
            // xunit does not dispose a fixture whose constructor threw: clean up here.
            Dispose();
            throw;
        }
    }

    private void Start()
    {
        string certs = _dir["certs"];
        Directory.CreateDirectory(certs);
        CaFile = Path.Combine(certs, "ca.crt");
        MakeCertificates(certs);
        // The accounts as a site makes them: deploy/mosquitto/setup.sh (passwords, ACL blocks, password files).
        string passwd = _dir["edge.passwd"];
        foreach (string[] account in new[] { new[] { "node", Site, Node }, ["node", Site, "edge2"], ["operator", "alice"], ["operator", "bob"], ["viewer", "grafana"], ["viewer", "observer"] })
        {
            Check(Shell.Run("/bin/sh", [Path.Combine(Shell.DeployDir, "mosquitto", "setup.sh"), "--dir", _dir.Path, "--secrets", _dir["secrets"], .. account]));
        }

        PlainPort = FreePort();
        TlsPort = FreePort();
        string conf = File.ReadAllText(Path.Combine(Shell.DeployDir, "mosquitto", "edge.conf"));
        conf = Rewrite(conf, "/etc/mosquitto/edge.passwd", passwd);
        conf = Rewrite(conf, "/etc/mosquitto/edge.acl", _dir["edge.acl"]);
        conf = Rewrite(conf, "/etc/mosquitto/certs/", certs + "/");
        conf = Rewrite(conf, "listener 1883 127.0.0.1\n", $"listener {PlainPort} 127.0.0.1\n");
        conf = Rewrite(conf, "listener 8883\n", $"listener {TlsPort} 127.0.0.1\n");
        Directory.CreateDirectory(_dir["conf.d"]);
        File.WriteAllText(Path.Combine(_dir["conf.d"], "edge.conf"), conf);
        Directory.CreateDirectory(_dir["data"]);

        // As Debian's main file, plus `user`: a broker started as root drops to that user (it needs no other).
        File.WriteAllText(_dir["mosquitto.conf"], $"""
            user {Environment.UserName}
            pid_file {_dir["mosquitto.pid"]}
            persistence true
            persistence_location {_dir["data"]}/
            log_dest stderr
            include_dir {_dir["conf.d"]}

            """);

        _broker = new LineProcess(Shell.Which("mosquitto")!, ["-c", _dir["mosquitto.conf"]]);
        _broker.WaitFor(l => l.Contains(" running", StringComparison.Ordinal), TimeSpan.FromSeconds(15), "'mosquitto … running' (broker ready)");
    }

    /// <summary>Tools missing on this machine (the tests then fail under CI, skip elsewhere).</summary>
    public string[] Missing { get; }

    public int PlainPort { get; private set; }

    public int TlsPort { get; private set; }

    /// <summary>The throwaway CA that signed the broker's certificate (CN and SAN localhost).</summary>
    public string CaFile { get; private set; } = "";

    /// <summary>The broker's log so far.</summary>
    public string Log => _broker?.Log ?? "";

    /// <summary>mosquitto_pub/mosquitto_sub options to reach the TLS listener as <paramref name="user"/>.</summary>
    public string[] Tls(string user) =>
        ["-h", "localhost", "-p", TlsPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "--cafile", CaFile,
            "-u", user, "-P", Password(user)];

    /// <summary>The password setup.sh made for <paramref name="user"/>.</summary>
    public string Password(string user) => File.ReadAllText(Path.Combine(_dir["secrets"], user + ".password")).Trim();

    public void Dispose()
    {
        _broker?.Dispose();
        _dir.Dispose();
    }

    private void MakeCertificates(string certs)
    {
        string ca = Path.Combine(certs, "ca"), broker = Path.Combine(certs, "broker");
        string ext = Path.Combine(certs, "broker.ext");
        File.WriteAllText(ext, "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n");
        Check(Shell.Run("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", ca + ".key", "-out", ca + ".crt", "-days", "2", "-subj", "/CN=Edge test CA"]));
        Check(Shell.Run("openssl", ["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", broker + ".key", "-out", broker + ".csr", "-subj", "/CN=localhost"]));
        Check(Shell.Run("openssl", ["x509", "-req", "-in", broker + ".csr", "-CA", ca + ".crt", "-CAkey", ca + ".key",
            "-CAcreateserial", "-out", broker + ".crt", "-days", "2", "-extfile", ext]));
    }

    private static string Rewrite(string conf, string from, string to)
    {
        Assert.True(conf.Contains(from, StringComparison.Ordinal), $"deploy/mosquitto/edge.conf no longer contains '{from.Trim()}': update this test");
        return conf.Replace(from, to, StringComparison.Ordinal);
    }

    private static void Check(Shell.Result r)
    {
        if (r.ExitCode != 0)
        {
            throw new InvalidOperationException(r.All);
        }
    }

    internal static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
