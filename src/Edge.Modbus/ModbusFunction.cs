namespace Edge.Modbus;

/// <summary>The Modbus function codes Edge speaks (Modbus Application Protocol v1.1b3, §6).</summary>
public enum ModbusFunction : byte
{
    /// <summary>Read Holding Registers (0x03).</summary>
    ReadHoldingRegisters = 3,
    /// <summary>Read Input Registers (0x04).</summary>
    ReadInputRegisters = 4,
    /// <summary>Write Single Register (0x06).</summary>
    WriteSingleRegister = 6,
    /// <summary>Write Multiple Registers (0x10).</summary>
    WriteMultipleRegisters = 16,
    /// <summary>Read/Write Multiple Registers (0x17): the write is performed before the read.</summary>
    ReadWriteMultipleRegisters = 23,
}
