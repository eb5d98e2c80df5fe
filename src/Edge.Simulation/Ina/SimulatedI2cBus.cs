using Edge.Devices.I2c;

namespace Edge.Simulation.Ina;

/// <summary>
/// An in-process I²C bus: targets at 7-bit addresses, transfers routed to them, nothing at an address = NACK (ENXIO),
/// bus-wide fault injection, and an account of the bus time the transfers would take on the wire at
/// <see cref="SpeedHz"/> (each byte 9 clocks incl. ACK, plus START/STOP), so budgets can be checked in tests.
/// Not thread-safe (one sampler per bus, as on real hardware).
/// </summary>
public sealed class SimulatedI2cBus
{
    private const int ENXIO = 6;
    private const int EIO = 5;
    private const int ETIMEDOUT = 110;
    private const int EREMOTEIO = 121;

    private readonly II2cTarget?[] _targets = new II2cTarget?[128];
    private int _failNext;
    private I2cStatus _failStatus;

    /// <summary>Creates a bus.</summary>
    public SimulatedI2cBus(int busId = 1, int speedHz = 400_000)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(busId);
        ArgumentOutOfRangeException.ThrowIfLessThan(speedHz, 1000);
        BusId = busId;
        SpeedHz = speedHz;
    }

    /// <summary>Bus number (as in <c>/dev/i2c-N</c>).</summary>
    public int BusId { get; }

    /// <summary>SCL frequency used for the bus-time account, Hz.</summary>
    public int SpeedHz { get; }

    /// <summary>Transfers attempted.</summary>
    public long TransferCount { get; private set; }

    /// <summary>Wire time of every transfer so far, ns.</summary>
    public long BusTimeNs { get; private set; }

    /// <summary>Puts <paramref name="target"/> at <paramref name="address"/>.</summary>
    public void Attach(int address, II2cTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentOutOfRangeException.ThrowIfLessThan(address, I2cConnectionSettings.MinAddress);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(address, I2cConnectionSettings.MaxAddress);
        if (_targets[address] is not null)
        {
            throw new InvalidOperationException($"Address 0x{address:X2} is already taken on simulated bus {BusId}.");
        }

        _targets[address] = target;
    }

    /// <summary>The target at <paramref name="address"/>, if any.</summary>
    public II2cTarget? TargetAt(int address) => _targets[address];

    /// <summary>A device handle for <paramref name="address"/> (like opening <c>/dev/i2c-N</c> with I2C_SLAVE).</summary>
    public SimulatedI2cDevice CreateDevice(int address) => new(this, new I2cConnectionSettings(BusId, address));

    /// <summary>Makes the next <paramref name="count"/> transfers fail with <paramref name="status"/>, whatever the address.</summary>
    public void FailNextTransfers(int count, I2cStatus status = I2cStatus.BusError)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        _failNext = count;
        _failStatus = status;
    }

    /// <summary>Advances every attached target to <paramref name="nowNs"/>.</summary>
    public void Advance(long nowNs)
    {
        foreach (II2cTarget? t in _targets)
        {
            t?.Advance(nowNs);
        }
    }

    /// <summary>Errno a real adapter would report with <paramref name="status"/>.</summary>
    public static int ErrnoFor(I2cStatus status) => status switch
    {
        I2cStatus.Ok => 0,
        I2cStatus.NoAcknowledge => EREMOTEIO,
        I2cStatus.Timeout => ETIMEDOUT,
        _ => EIO,
    };

    internal I2cStatus Transfer(int address, ReadOnlySpan<byte> write, Span<byte> read, bool doWrite, bool doRead, out int errno)
    {
        TransferCount++;
        // START + address byte + data bytes (9 clocks each incl. ACK) [+ repeated START + address + data] + STOP.
        long clocks = 1 + 9 + (doWrite ? 9L * write.Length : 0) + (doWrite && doRead ? 1 + 9 : 0) + (doRead ? 9L * read.Length : 0) + 1;
        BusTimeNs += clocks * 1_000_000_000L / SpeedHz;

        if (_failNext > 0)
        {
            _failNext--;
            errno = ErrnoFor(_failStatus);
            return _failStatus;
        }

        II2cTarget? target = _targets[address];
        if (target is null)
        {
            errno = ENXIO;
            return I2cStatus.NoAcknowledge;
        }

        I2cStatus status = doWrite ? target.OnWrite(write) : I2cStatus.Ok;
        if (status == I2cStatus.Ok && doRead)
        {
            status = target.OnRead(read);
        }

        errno = ErrnoFor(status);
        return status;
    }
}
