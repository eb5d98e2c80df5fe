namespace Edge.Modbus.Server;

/// <summary>
/// The register space behind a <see cref="ModbusTcpServer"/>. Called from the server's connection threads (one per
/// client, possibly concurrently): implementations synchronise themselves. Requests arrive already validated
/// (quantities within the Modbus limits, address + quantity ≤ 65536).
/// </summary>
public interface IModbusRequestHandler
{
    /// <summary>FC 3 / FC 4 (and the read half of FC 23): fills <paramref name="destination"/> from <paramref name="address"/>.</summary>
    ModbusReply Read(byte unitId, ModbusFunction function, ushort address, Span<ushort> destination);

    /// <summary>FC 6 / FC 16 (and the write half of FC 23): stores <paramref name="values"/> at <paramref name="address"/>.</summary>
    ModbusReply Write(byte unitId, ModbusFunction function, ushort address, ReadOnlySpan<ushort> values);
}
