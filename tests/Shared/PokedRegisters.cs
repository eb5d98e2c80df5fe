using System.Collections.Concurrent;
using Edge.Modbus;
using Edge.Modbus.Server;

namespace Edge.Tests.Shared;

/// <summary>A Modbus server's registers (<paramref name="inner"/>), with some overridden on every read: a device that
/// reports what the test wants at one point and behaves normally everywhere else.</summary>
internal sealed class PokedRegisters(IModbusRequestHandler inner) : IModbusRequestHandler
{
    private readonly ConcurrentDictionary<ushort, ushort> _poked = new();

    public void Set(ushort address, ushort value) => _poked[address] = value;

    public void Clear() => _poked.Clear();

    public ModbusReply Read(byte unitId, ModbusFunction function, ushort address, Span<ushort> destination)
    {
        ModbusReply reply = inner.Read(unitId, function, address, destination);
        foreach ((ushort at, ushort value) in _poked)
        {
            int i = at - address;
            if (i >= 0 && i < destination.Length)
            {
                destination[i] = value;
            }
        }

        return reply;
    }

    public ModbusReply Write(byte unitId, ModbusFunction function, ushort address, ReadOnlySpan<ushort> values) =>
        inner.Write(unitId, function, address, values);
}
