using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Edge.Mqtt.Tests.Infrastructure;

/// <summary>Keeps every log line (for assertions) and echoes it to the test output.</summary>
internal sealed class TestLogger(ITestOutputHelper? output = null) : ILogger
{
    private readonly List<string> _lines = [];

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

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        string line = $"{logLevel}: {formatter(state, exception)}";
        lock (_lines)
        {
            _lines.Add(line);
        }

        try
        {
            output?.WriteLine(line);
        }
        catch (InvalidOperationException)
        {
            // the test already finished
        }
    }
}
