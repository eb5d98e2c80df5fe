using System.Runtime;

namespace Edge.Runtime.Realtime;

/// <summary>
/// The process-wide part of real-time setup, held while the loop runs: the /dev/cpu_dma_latency request, locked
/// memory and the GC latency mode. Disposing releases them (the DMA request ends when the descriptor closes).
/// </summary>
public sealed class RealtimeSession : IDisposable
{
    private readonly IRealtimeOs _os;
    private IDisposable? _dmaHolder;
    private readonly bool _unlockOnDispose;
    private readonly GCLatencyMode? _restoreGcMode;

    internal RealtimeSession(IRealtimeOs os, RealtimeReport report, IDisposable? dmaHolder, bool unlockOnDispose, GCLatencyMode? restoreGcMode)
    {
        _os = os;
        Report = report;
        _dmaHolder = dmaHolder;
        _unlockOnDispose = unlockOnDispose;
        _restoreGcMode = restoreGcMode;
    }

    /// <summary>What was set up, and what could not be and why.</summary>
    public RealtimeReport Report { get; }

    /// <summary>True while /dev/cpu_dma_latency is held.</summary>
    public bool HoldsDmaLatency => _dmaHolder is not null;

    /// <inheritdoc />
    public void Dispose()
    {
        Interlocked.Exchange(ref _dmaHolder, null)?.Dispose();
        if (_unlockOnDispose)
        {
            _os.UnlockAllMemory();
        }

        if (_restoreGcMode is { } mode)
        {
            _os.SetGcLatencyMode(mode);
        }
    }
}
