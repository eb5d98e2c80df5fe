namespace Edge.Modbus.Client;

/// <summary>Running totals of one client (read by any thread; written by the client's own thread).</summary>
public sealed class ModbusClientCounters
{
    private long _transactions;
    private long _failures;
    private long _exceptions;
    private long _timeouts;
    private long _connects;
    private long _connectFailures;

    /// <summary>Transactions that completed with <see cref="ModbusStatus.Ok"/>.</summary>
    public long Transactions => Volatile.Read(ref _transactions);

    /// <summary>Transactions that ended in a link failure.</summary>
    public long Failures => Volatile.Read(ref _failures);

    /// <summary>Exception responses received.</summary>
    public long Exceptions => Volatile.Read(ref _exceptions);

    /// <summary>Requests that timed out.</summary>
    public long Timeouts => Volatile.Read(ref _timeouts);

    /// <summary>Successful TCP connects.</summary>
    public long Connects => Volatile.Read(ref _connects);

    /// <summary>Failed TCP connects.</summary>
    public long ConnectFailures => Volatile.Read(ref _connectFailures);

    internal void Count(ModbusStatus status)
    {
        switch (status)
        {
            case ModbusStatus.Ok:
                Interlocked.Increment(ref _transactions);
                break;
            case ModbusStatus.Exception:
                Interlocked.Increment(ref _exceptions);
                break;
            case ModbusStatus.Timeout:
                Interlocked.Increment(ref _timeouts);
                Interlocked.Increment(ref _failures);
                break;
            case ModbusStatus.InvalidRequest:
                break;
            default:
                Interlocked.Increment(ref _failures);
                break;
        }
    }

    internal void CountConnect(bool ok) => Interlocked.Increment(ref ok ? ref _connects : ref _connectFailures);
}
