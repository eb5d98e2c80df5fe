using Edge.Modbus.Registers;

namespace Edge.Modbus.SunSpec;

/// <summary>One point of a SunSpec model, as the published model JSON defines it.</summary>
/// <param name="Name">Point name; points of nested groups are prefixed with the group name ("PFWInj.PF").</param>
/// <param name="Offset">Register offset from the model's start (offset 0 is <c>ID</c>, 1 is <c>L</c>).</param>
/// <param name="Size">Number of registers.</param>
/// <param name="Type">Point type.</param>
/// <param name="ScaleFactorName">Name of the scale-factor point, or null when unscaled (numeric scale factors are not used by these models).</param>
/// <param name="Units">Units as written in the JSON, or null.</param>
/// <param name="Writable">True when access is "RW".</param>
/// <param name="Mandatory">True when mandatory ("M").</param>
public sealed record SunSpecPoint(string Name, int Offset, int Size, SunSpecPointType Type, string? ScaleFactorName, string? Units, bool Writable, bool Mandatory)
{
    /// <summary>The register codec type used to decode the point's raw value (null for strings, pads and addresses).</summary>
    public RegisterType? RegisterType => Type switch
    {
        SunSpecPointType.Int16 or SunSpecPointType.ScaleFactor => Registers.RegisterType.Int16,
        SunSpecPointType.UInt16 or SunSpecPointType.Count or SunSpecPointType.Acc16 or SunSpecPointType.Enum16 or SunSpecPointType.Bitfield16 => Registers.RegisterType.UInt16,
        SunSpecPointType.Int32 => Registers.RegisterType.Int32,
        SunSpecPointType.UInt32 or SunSpecPointType.Acc32 or SunSpecPointType.Enum32 or SunSpecPointType.Bitfield32 or SunSpecPointType.IpAddr => Registers.RegisterType.UInt32,
        SunSpecPointType.Int64 => Registers.RegisterType.Int64,
        SunSpecPointType.UInt64 or SunSpecPointType.Acc64 => Registers.RegisterType.UInt64,
        SunSpecPointType.Float32 => Registers.RegisterType.Float32,
        _ => null,
    };

    /// <summary>Parses the JSON "type" spelling.</summary>
    public static SunSpecPointType ParseType(string text) => text switch
    {
        "int16" => SunSpecPointType.Int16,
        "uint16" => SunSpecPointType.UInt16,
        "count" => SunSpecPointType.Count,
        "acc16" => SunSpecPointType.Acc16,
        "enum16" => SunSpecPointType.Enum16,
        "bitfield16" => SunSpecPointType.Bitfield16,
        "pad" => SunSpecPointType.Pad,
        "int32" => SunSpecPointType.Int32,
        "uint32" => SunSpecPointType.UInt32,
        "acc32" => SunSpecPointType.Acc32,
        "enum32" => SunSpecPointType.Enum32,
        "bitfield32" => SunSpecPointType.Bitfield32,
        "ipaddr" => SunSpecPointType.IpAddr,
        "int64" => SunSpecPointType.Int64,
        "uint64" => SunSpecPointType.UInt64,
        "acc64" => SunSpecPointType.Acc64,
        "ipv6addr" => SunSpecPointType.Ipv6Addr,
        "float32" => SunSpecPointType.Float32,
        "float64" => SunSpecPointType.Float64,
        "string" => SunSpecPointType.String,
        "sunssf" => SunSpecPointType.ScaleFactor,
        "eui48" => SunSpecPointType.Eui48,
        _ => throw new FormatException($"Unknown SunSpec point type '{text}'."),
    };
}
