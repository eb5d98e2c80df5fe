using Microsoft.Extensions.Logging;

namespace Edge.Daemon;

/// <summary>
/// Saves <see cref="PersistedState"/> periodically on its own thread (never the control thread), atomically
/// (write-then-rename), at most once per <see cref="EdgeOptions.StateSaveIntervalS"/> (≥ 10 s: SD-card wear), so a
/// restart after <c>kill -9</c> or a power loss resumes from a state at most one interval old. <see cref="Stop"/> ends
/// the thread; the daemon then saves the final state itself. A failed save is logged once per failure streak and
/// retried at the next interval.
/// </summary>
internal sealed class StateSaver : IDisposable
{
    private readonly PersistedState _state;
    private readonly string _path;
    private readonly TimeSpan _interval;
    private readonly Action<PersistedState> _update;
    private readonly ILogger _log;
    private readonly ManualResetEventSlim _stop = new();
    private readonly Thread _thread;
    private bool _failing;
    private long _saves;

    /// <summary>
    /// Creates the saver: every <paramref name="interval"/>, <paramref name="update"/> refreshes
    /// <paramref name="state"/> (on the saver's thread) and it is written to <paramref name="path"/>.
    /// </summary>
    public StateSaver(PersistedState state, string path, TimeSpan interval, Action<PersistedState> update, ILogger log)
    {
        _state = state;
        _path = path;
        _interval = interval;
        _update = update;
        _log = log;
        _thread = new Thread(Run) { IsBackground = true, Name = "state-saver", Priority = ThreadPriority.BelowNormal };
    }

    /// <summary>Periodic saves done.</summary>
    public long Saves => Interlocked.Read(ref _saves);

    /// <summary>Starts the thread.</summary>
    public void Start() => _thread.Start();

    /// <summary>Stops the thread (waits for a save in progress); the state object is the caller's again.</summary>
    public void Stop()
    {
        _stop.Set();
        if (_thread.IsAlive)
        {
            _thread.Join();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Stop();
        _stop.Dispose();
    }

    private void Run()
    {
        while (!_stop.Wait(_interval))
        {
            try
            {
                _update(_state);
                _state.Running = true;
                _state.Save(_path);
                Interlocked.Increment(ref _saves);
                if (_failing)
                {
                    _failing = false;
                    _log.LogInformation("state saved to {Path} again", _path);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                if (!_failing)
                {
                    _failing = true;
                    _log.LogError("cannot save state to {Path}: {Message} (retrying every {Interval} s; a restart now would resume older state)", _path, e.Message, _interval.TotalSeconds);
                }
            }
        }
    }
}
