namespace Edge.Rig.Tests.Infrastructure;

/// <summary>
/// Real peers (Debian's mosquitto). Under CI=true a missing peer fails the test; elsewhere the test reports a skip
/// with a clear message and returns.
/// </summary>
internal static class Peers
{
    public const string Mosquitto = "/usr/sbin/mosquitto";
    public const string MosquittoSub = "/usr/bin/mosquitto_sub";
    public const string MosquittoPub = "/usr/bin/mosquitto_pub";
    public const string MosquittoRr = "/usr/bin/mosquitto_rr";
    public const string MosquittoPasswd = "/usr/bin/mosquitto_passwd";
    public const string Python3 = "/usr/bin/python3";
    public const string Paho = "/usr/lib/python3/dist-packages/paho/mqtt/client.py";

    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>True when every executable exists; otherwise throws under CI, or writes a skip note and returns false.</summary>
    public static bool Available(ITestOutputHelper output, params string[] executables)
    {
        var missing = executables.Where(e => !File.Exists(e)).ToList();
        if (missing.Count == 0)
        {
            return true;
        }

        string message = $"test peer(s) missing: {string.Join(", ", missing)} (tests/run.sh installs every test peer from Debian)";
        if (IsCi)
        {
            throw new InvalidOperationException(message + "; CI=true: a missing peer fails the run.");
        }

        output.WriteLine("SKIPPED: " + message);
        return false;
    }
}
