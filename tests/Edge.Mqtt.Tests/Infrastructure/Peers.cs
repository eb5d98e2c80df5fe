using Xunit.Abstractions;

namespace Edge.Mqtt.Tests.Infrastructure;

/// <summary>
/// Real peers the integration tests talk to (mosquitto, mosquitto_sub/pub, /usr/bin/python3 with paho-mqtt and
/// protobuf, protoc). Under CI=true a missing peer fails the test; elsewhere the test is skipped with a clear message.
/// </summary>
internal static class Peers
{
    public const string Mosquitto = "/usr/sbin/mosquitto";
    public const string MosquittoSub = "/usr/bin/mosquitto_sub";
    public const string MosquittoPub = "/usr/bin/mosquitto_pub";
    public const string Python = "/usr/bin/python3";
    public const string Protoc = "/usr/bin/protoc";

    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>True when every executable exists; otherwise fails (CI) or reports a skip and returns false.</summary>
    public static bool Available(ITestOutputHelper output, params string[] executables)
    {
        var missing = executables.Where(e => !File.Exists(e)).ToList();
        if (missing.Count == 0)
        {
            return true;
        }

        string message = $"Test peer(s) missing: {string.Join(", ", missing)} (install mosquitto, mosquitto-clients, python3-paho-mqtt, protobuf-compiler, python3-protobuf).";
        if (IsCi)
        {
            throw new InvalidOperationException(message + " CI=true: a missing peer fails the run.");
        }

        output.WriteLine("SKIPPED: " + message);
        return false;
    }

    /// <summary>True when /usr/bin/python3 can import every module; same CI rule.</summary>
    public static bool PythonModules(ITestOutputHelper output, params string[] modules)
    {
        if (!Available(output, Python))
        {
            return false;
        }

        var result = ProcessRunner.Run(Python, ["-c", string.Join(";", modules.Select(m => "import " + m))], TimeSpan.FromSeconds(20));
        if (result.ExitCode == 0)
        {
            return true;
        }

        string message = $"/usr/bin/python3 cannot import {string.Join(", ", modules)}: {result.Stderr.Trim()}";
        if (IsCi)
        {
            throw new InvalidOperationException(message + " CI=true: a missing peer fails the run.");
        }

        output.WriteLine("SKIPPED: " + message);
        return false;
    }
}
