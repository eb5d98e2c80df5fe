namespace Edge.Modbus.Server;

/// <summary>
/// A plain register space for tests and simple simulators: 65,536 holding and 65,536 input registers, all readable
/// and writable, guarded by one lock. Writable ranges can be restricted with <see cref="ReadOnlyBelow"/>.
/// </summary>
public sealed class ModbusRegisterBank : IModbusRequestHandler
{
    private readonly ushort[] _holding = new ushort[65536];
    private readonly ushort[] _input = new ushort[65536];
    private readonly Lock _lock = new();

    /// <summary>Writes to addresses below this value are refused with <see cref="ModbusExceptionCode.IllegalDataAddress"/>.</summary>
    public int ReadOnlyBelow { get; set; }

    /// <summary>Number of write requests carried out.</summary>
    public long WriteCount { get; private set; }

    /// <summary>Sets holding registers (test setup).</summary>
    public void SetHolding(ushort address, ReadOnlySpan<ushort> values)
    {
        lock (_lock)
        {
            values.CopyTo(_holding.AsSpan(address));
        }
    }

    /// <summary>Sets input registers (test setup).</summary>
    public void SetInput(ushort address, ReadOnlySpan<ushort> values)
    {
        lock (_lock)
        {
            values.CopyTo(_input.AsSpan(address));
        }
    }

    /// <summary>Reads one holding register.</summary>
    public ushort GetHolding(ushort address)
    {
        lock (_lock)
        {
            return _holding[address];
        }
    }

    /// <inheritdoc />
    public ModbusReply Read(byte unitId, ModbusFunction function, ushort address, Span<ushort> destination)
    {
        lock (_lock)
        {
            (function == ModbusFunction.ReadInputRegisters ? _input : _holding).AsSpan(address, destination.Length).CopyTo(destination);
        }

        return ModbusReply.Ok;
    }

    /// <inheritdoc />
    public ModbusReply Write(byte unitId, ModbusFunction function, ushort address, ReadOnlySpan<ushort> values)
    {
        if (address < ReadOnlyBelow)
        {
            return ModbusReply.Exception(ModbusExceptionCode.IllegalDataAddress);
        }

        lock (_lock)
        {
            values.CopyTo(_holding.AsSpan(address));
            WriteCount++;
        }

        return ModbusReply.Ok;
    }
}
