namespace Edge.Modbus.Registers;

/// <summary>
/// Order of the 16-bit words of a multi-register value. Bytes inside a register are always big-endian (Modbus rule);
/// devices differ only in word order.
/// </summary>
public enum WordOrder : byte
{
    /// <summary>Most significant word first ("ABCD"; SunSpec, Eastron, most meters).</summary>
    HighWordFirst,
    /// <summary>Least significant word first ("CDAB"; some Carlo Gavazzi, Schneider and Chinese meters).</summary>
    LowWordFirst,
}
