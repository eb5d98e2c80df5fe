using Edge.Commands;
using Edge.Daemon;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Edge.Rig.Tests.Infrastructure;

/// <summary>
/// <c>edge run</c> in-process, driven the way <see cref="RunCommand"/> drives it: the same configuration sources
/// (<see cref="RunCommand.BuildConfiguration"/>) and host (<see cref="RunCommand.BuildHost"/>), run with
/// <c>RunAsync(token)</c>; <see cref="Stop"/> cancels that token, which is what SIGTERM does through Program.cs.
/// </summary>
internal sealed class InProcessDaemon : IDisposable
{
    private readonly IHost _host;
    private readonly CancellationTokenSource _sigterm = new();
    private readonly Task _run;

    private InProcessDaemon(IHost host, CapturedLog log, Action<InProcessDaemon>? beforeRun)
    {
        _host = host;
        Log = log;
        Daemon = host.Services.GetRequiredService<EdgeDaemon>();
        Status = host.Services.GetRequiredService<DaemonStatus>();
        beforeRun?.Invoke(this);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStarted.Register(() => started.TrySetResult());
        _run = Task.Run(() => host.RunAsync(_sigterm.Token));
        int first = Task.WaitAny([started.Task, _run], TimeSpan.FromSeconds(60));
        if (first != 0)
        {
            string why = first == 1 ? $"the host ended while starting: {_run.Exception?.GetBaseException().Message}" : "not started within 60 s";
            Dispose();
            Assert.Fail($"edge run (in-process): {why}\n{log.Text}");
        }
    }

    public EdgeDaemon Daemon { get; }

    public DaemonStatus Status { get; }

    public CapturedLog Log { get; }

    /// <summary>True once the host has stopped.</summary>
    public bool Stopped => _run.IsCompleted;

    /// <summary>
    /// Starts the daemon with <see cref="Defaults"/> overridden by <paramref name="overrides"/> ("Section:Key=value",
    /// as on the command line). Returns once the host has started (the daemon's StartAsync returned).
    /// </summary>
    public static InProcessDaemon Start(string stateDirectory, params string[] overrides) => StartWith(stateDirectory, null, overrides);

    /// <summary>As <see cref="Start"/>; <paramref name="beforeRun"/> sees the daemon and its log before the host starts it.</summary>
    public static InProcessDaemon StartWith(string stateDirectory, Action<InProcessDaemon>? beforeRun, params string[] overrides)
    {
        var settings = new Dictionary<string, string?>(Defaults(stateDirectory), StringComparer.OrdinalIgnoreCase);
        foreach (string word in overrides)
        {
            int eq = word.IndexOf('=', StringComparison.Ordinal);
            string key = word[..eq];
            string value = word[(eq + 1)..];
            if (value.Length == 0)
            {
                settings.Remove(key);
            }
            else
            {
                settings[key] = value;
            }
        }

        var log = new CapturedLog();
        IConfigurationRoot configuration = RunCommand.BuildConfiguration(null, settings);
        IHost host = RunCommand.BuildHost(configuration, live: false, log);
        return new InProcessDaemon(host, log, beforeRun);
    }

    /// <summary>
    /// What every in-process test runs with unless it says otherwise: its own state directory, no live view, no MQTT,
    /// the swinging load (the battery works hard from the first second), a ramp limit fast enough to keep the tests
    /// short, and a deadline-fault threshold a shared CI machine will not trip by accident.
    /// </summary>
    public static Dictionary<string, string?> Defaults(string stateDirectory) => new(StringComparer.OrdinalIgnoreCase)
    {
        ["Edge:Rig"] = "sim",
        ["Edge:StateDirectory"] = stateDirectory,
        ["Edge:LiveView"] = "off",
        ["Edge:ShutdownTimeoutS"] = "20",
        ["Mqtt:Enabled"] = "false",
        ["Sim:Profile"] = Profiles.Swinging,
        ["Controller:RampUpWPerS"] = RampWPerS.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Controller:RampDownWPerS"] = RampWPerS.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Loop:FaultAfterConsecutiveMisses"] = "1000",
    };

    /// <summary>The ramp limit the tests configure, W/s.</summary>
    public const double RampWPerS = 1000;

    /// <summary>Stops the daemon as SIGTERM does and waits for the host to finish (ramp-down included).</summary>
    public void Stop(TimeSpan? timeout = null)
    {
        _sigterm.Cancel();
        TimeSpan wait = timeout ?? TimeSpan.FromSeconds(60);
        try
        {
            if (!_run.Wait(wait))
            {
                Assert.Fail($"edge run (in-process) did not stop within {wait.TotalSeconds} s\n{Log.Text}");
            }
        }
        catch (AggregateException e)
        {
            Assert.Fail($"edge run (in-process) failed while stopping: {e.GetBaseException()}\n{Log.Text}");
        }
    }

    public void Dispose()
    {
        if (!_run.IsCompleted)
        {
            _sigterm.Cancel();
            _run.Wait(TimeSpan.FromSeconds(60));
        }

        _host.Dispose();
        _sigterm.Dispose();
    }
}
