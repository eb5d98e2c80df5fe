namespace Edge.Modbus;

/// <summary>Outcome of one client transaction. Only <see cref="Ok"/> means the request was carried out.</summary>
public enum ModbusStatus : byte
{
    /// <summary>The server carried out the request and answered correctly.</summary>
    Ok = 0,
    /// <summary>The server answered with a Modbus exception (see <see cref="ModbusResult.ExceptionCode"/>).</summary>
    Exception,
    /// <summary>No complete answer within the request timeout. The connection is closed (a late answer would desynchronise it).</summary>
    Timeout,
    /// <summary>Not connected, and connecting failed or is being held off by the reconnect backoff.</summary>
    NotConnected,
    /// <summary>The peer closed the connection (possibly in the middle of a frame) or the socket failed.</summary>
    ConnectionLost,
    /// <summary>The answer carried another transaction id. The connection is closed.</summary>
    TransactionIdMismatch,
    /// <summary>The answer was not a valid response to the request (protocol id, length, unit, function, byte count, echo).</summary>
    MalformedResponse,
    /// <summary>The request itself was invalid (quantity out of range); nothing was sent.</summary>
    InvalidRequest,
}
