using Microsoft.Extensions.Hosting;

namespace Edge.Daemon;

/// <summary>
/// The daemon host's lifetime: none of its own. The default (<c>ConsoleLifetime</c>) registers SIGINT, SIGTERM and
/// <em>SIGQUIT</em> and stops the host on each — so an operator's <c>kill -QUIT</c>, which must only write the flight
/// recorder, ramped the batteries out. Signals are the <c>edge</c> executable's (Program: Ctrl-C and SIGTERM are stop
/// requests, <c>edge run</c>: SIGQUIT is a dump); the host is stopped by <c>edge run</c> through its token.
/// </summary>
internal sealed class SignalFreeLifetime : IHostLifetime
{
    /// <inheritdoc />
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
