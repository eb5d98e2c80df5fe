namespace Edge.Modbus;

/// <summary>Typed result of one Modbus transaction: a status and, for <see cref="ModbusStatus.Exception"/>, the server's code.</summary>
/// <param name="Status">What happened.</param>
/// <param name="ExceptionCode">The server's exception code when <paramref name="Status"/> is <see cref="ModbusStatus.Exception"/>.</param>
public readonly record struct ModbusResult(ModbusStatus Status, ModbusExceptionCode ExceptionCode = ModbusExceptionCode.None)
{
    /// <summary>The request was carried out.</summary>
    public static ModbusResult Ok => default;

    /// <summary>True when the request was carried out.</summary>
    public bool IsOk => Status == ModbusStatus.Ok;

    /// <summary>True when the link itself failed (not a Modbus exception, which is an answer).</summary>
    public bool IsLinkFailure => Status is ModbusStatus.Timeout or ModbusStatus.NotConnected or ModbusStatus.ConnectionLost
        or ModbusStatus.TransactionIdMismatch or ModbusStatus.MalformedResponse;

    /// <inheritdoc />
    public override string ToString() => Status == ModbusStatus.Exception ? $"Exception({ExceptionCode})" : Status.ToString();
}
