using Microsoft.Extensions.Logging;

namespace Edge.Daemon;

/// <summary>
/// A logger provider that keeps the last few log lines in memory, for the live view's log panel (while the live view
/// owns the terminal, console logging would tear it). Thread-safe; logging is never on the loop thread.
/// </summary>
internal sealed class RecentLogLines : ILoggerProvider
{
    private readonly Queue<string> _lines = new();
    private readonly int _capacity;
    private readonly LogLevel _minimum;

    public RecentLogLines(int capacity = 8, LogLevel minimum = LogLevel.Information)
    {
        _capacity = capacity;
        _minimum = minimum;
    }

    /// <summary>The retained lines, oldest first.</summary>
    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose()
    {
    }

    /// <summary>
    /// Where every line also goes from now on (set when the live view closes: the end of a stop — "battery setpoint at
    /// 0 W", "stopped after …" — is logged after the view's last frame and would otherwise never be seen). Null: none.
    /// </summary>
    public TextWriter? Echo { get; set; }

    private void Add(string line)
    {
        Echo?.WriteLine(line);
        lock (_lines)
        {
            _lines.Enqueue(line);
            while (_lines.Count > _capacity)
            {
                _lines.Dequeue();
            }
        }
    }

    private sealed class Logger(RecentLogLines owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= owner._minimum;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                string level = logLevel switch { LogLevel.Warning => "warn", LogLevel.Error => "fail", LogLevel.Critical => "crit", _ => "info" };
                owner.Add($"{DateTime.Now:HH:mm:ss} {level} {formatter(state, exception)}");
            }
        }
    }
}
