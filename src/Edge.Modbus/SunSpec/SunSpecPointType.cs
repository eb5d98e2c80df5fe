namespace Edge.Modbus.SunSpec;

/// <summary>Point types of the SunSpec information model (as spelled in the model JSON "type" field).</summary>
public enum SunSpecPointType : byte
{
    /// <summary>int16.</summary>
    Int16,
    /// <summary>uint16.</summary>
    UInt16,
    /// <summary>count (uint16).</summary>
    Count,
    /// <summary>acc16 (uint16 accumulator).</summary>
    Acc16,
    /// <summary>enum16.</summary>
    Enum16,
    /// <summary>bitfield16.</summary>
    Bitfield16,
    /// <summary>pad (one unused register).</summary>
    Pad,
    /// <summary>int32.</summary>
    Int32,
    /// <summary>uint32.</summary>
    UInt32,
    /// <summary>acc32.</summary>
    Acc32,
    /// <summary>enum32.</summary>
    Enum32,
    /// <summary>bitfield32.</summary>
    Bitfield32,
    /// <summary>ipaddr (uint32).</summary>
    IpAddr,
    /// <summary>int64.</summary>
    Int64,
    /// <summary>uint64.</summary>
    UInt64,
    /// <summary>acc64.</summary>
    Acc64,
    /// <summary>ipv6addr (8 registers).</summary>
    Ipv6Addr,
    /// <summary>float32.</summary>
    Float32,
    /// <summary>float64.</summary>
    Float64,
    /// <summary>string (two ASCII characters per register).</summary>
    String,
    /// <summary>sunssf: a signed power-of-ten scale factor.</summary>
    ScaleFactor,
    /// <summary>eui48 (4 registers).</summary>
    Eui48,
}
