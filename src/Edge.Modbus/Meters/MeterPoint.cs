using Edge.Modbus.Registers;

namespace Edge.Modbus.Meters;

/// <summary>One value in a meter's register map: where it is, how it is encoded, and its scale to SI units.</summary>
/// <param name="Address">Protocol address (0-based) of the first register.</param>
/// <param name="Type">Encoding.</param>
/// <param name="Scale">Multiplier from the raw value to W, V or A (e.g. 0.1, or 1000 for kW).</param>
/// <param name="WordOrder">Word order of multi-register values.</param>
public sealed record MeterPoint(ushort Address, RegisterType Type, double Scale, WordOrder WordOrder)
{
    /// <summary>Registers the value occupies.</summary>
    public int Size => RegisterCodec.SizeOf(Type);
}
