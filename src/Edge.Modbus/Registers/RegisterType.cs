namespace Edge.Modbus.Registers;

/// <summary>How a value is laid out in one or more 16-bit registers.</summary>
public enum RegisterType : byte
{
    /// <summary>Signed 16-bit (1 register).</summary>
    Int16,
    /// <summary>Unsigned 16-bit (1 register).</summary>
    UInt16,
    /// <summary>Signed 32-bit (2 registers).</summary>
    Int32,
    /// <summary>Unsigned 32-bit (2 registers).</summary>
    UInt32,
    /// <summary>IEEE-754 single precision (2 registers).</summary>
    Float32,
    /// <summary>Signed 64-bit (4 registers).</summary>
    Int64,
    /// <summary>Unsigned 64-bit (4 registers).</summary>
    UInt64,
}
