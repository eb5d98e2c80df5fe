namespace Edge.Modbus.Registers;

/// <summary>One value in a register map described as data: where it is, how it is encoded, and its scale to SI units.</summary>
/// <param name="Address">Protocol address (0-based) of the first register.</param>
/// <param name="Type">Encoding.</param>
/// <param name="Scale">Multiplier from the raw value to the SI unit (e.g. 0.1, 1000 for kW, −1 to flip a sign).</param>
/// <param name="WordOrder">Word order of multi-register values.</param>
public sealed record RegisterPoint(ushort Address, RegisterType Type, double Scale, WordOrder WordOrder)
{
    /// <summary>Registers the value occupies.</summary>
    public int Size => RegisterCodec.SizeOf(Type);
}
