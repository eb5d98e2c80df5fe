using Edge.Daemon;
using Microsoft.Extensions.Logging;

namespace Edge.Tests.Daemon;

/// <summary>
/// The live view's log panel: it keeps the last lines; once the view has closed (the daemon is stopping), every later
/// line is also written out, so the end of a stop — "battery setpoint at 0 W", "stopped after …" — is seen on the
/// terminal instead of being lost behind the view's last frame.
/// </summary>
public sealed class RecentLogLinesTests
{
    [Fact]
    public void Lines_after_the_view_closes_are_also_written_out()
    {
        using var recent = new RecentLogLines(capacity: 2);
        ILogger log = recent.CreateLogger("edge");
        log.LogInformation("first");
        log.LogInformation("second");
        log.LogInformation("third");
        Assert.Equal(2, recent.Lines.Count);
        Assert.EndsWith("info third", recent.Lines[^1], StringComparison.Ordinal);

        var terminal = new StringWriter();
        recent.Echo = terminal; // what LiveView.Dispose does
        log.LogInformation("battery setpoint at 0 W after 1.4 s");
        log.LogWarning("stopped after 20 s");
        string[] written = terminal.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, written.Length);
        Assert.EndsWith("info battery setpoint at 0 W after 1.4 s", written[0], StringComparison.Ordinal);
        Assert.EndsWith("warn stopped after 20 s", written[1], StringComparison.Ordinal);
        Assert.DoesNotContain("third", terminal.ToString(), StringComparison.Ordinal); // only what came after
    }
}
