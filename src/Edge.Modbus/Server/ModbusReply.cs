namespace Edge.Modbus.Server;

/// <summary>What the server does with a request, as decided by its <see cref="IModbusRequestHandler"/>.</summary>
public enum ModbusReplyKind : byte
{
    /// <summary>Answer normally.</summary>
    Ok = 0,
    /// <summary>Answer with a Modbus exception.</summary>
    Exception,
    /// <summary>Send nothing (the client times out) — a frozen device.</summary>
    Ignore,
    /// <summary>Close the connection without answering — a device that drops links.</summary>
    Drop,
}

/// <summary>A handler's verdict on one request.</summary>
/// <param name="Kind">What to do.</param>
/// <param name="Code">The exception code when <paramref name="Kind"/> is <see cref="ModbusReplyKind.Exception"/>.</param>
public readonly record struct ModbusReply(ModbusReplyKind Kind, ModbusExceptionCode Code = ModbusExceptionCode.None)
{
    /// <summary>Answer normally.</summary>
    public static ModbusReply Ok => default;

    /// <summary>Send nothing.</summary>
    public static ModbusReply Ignore => new(ModbusReplyKind.Ignore);

    /// <summary>Close the connection.</summary>
    public static ModbusReply Drop => new(ModbusReplyKind.Drop);

    /// <summary>Answer with exception <paramref name="code"/>.</summary>
    public static ModbusReply Exception(ModbusExceptionCode code) => new(ModbusReplyKind.Exception, code);
}
