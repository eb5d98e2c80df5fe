namespace Edge.Modbus;

/// <summary>Exception codes a Modbus server returns (Modbus Application Protocol v1.1b3, §7).</summary>
public enum ModbusExceptionCode : byte
{
    /// <summary>No exception.</summary>
    None = 0,
    /// <summary>The function code is not supported.</summary>
    IllegalFunction = 1,
    /// <summary>The address (or address + quantity) is not allowed.</summary>
    IllegalDataAddress = 2,
    /// <summary>A value in the request is not allowed (quantity, byte count, register value).</summary>
    IllegalDataValue = 3,
    /// <summary>An unrecoverable error occurred while the server performed the action.</summary>
    ServerDeviceFailure = 4,
    /// <summary>Accepted, but processing takes long.</summary>
    Acknowledge = 5,
    /// <summary>The server is busy; retry later.</summary>
    ServerDeviceBusy = 6,
    /// <summary>Memory parity error (file records).</summary>
    MemoryParityError = 8,
    /// <summary>A gateway could not allocate a path.</summary>
    GatewayPathUnavailable = 10,
    /// <summary>A gateway's target did not respond.</summary>
    GatewayTargetFailedToRespond = 11,
}
