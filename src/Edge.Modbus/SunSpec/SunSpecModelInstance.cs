namespace Edge.Modbus.SunSpec;

/// <summary>One model found on a device: its id, where it starts and its length as the device reports it.</summary>
/// <param name="Id">Model id.</param>
/// <param name="StartAddress">Protocol address of the model's <c>ID</c> register.</param>
/// <param name="Length">The device's <c>L</c> value (registers after <c>L</c>).</param>
/// <param name="Definition">The embedded definition, or null when Edge does not know the model.</param>
public sealed record SunSpecModelInstance(int Id, ushort StartAddress, int Length, SunSpecModelDefinition? Definition)
{
    /// <summary>Protocol address of point <paramref name="name"/>.</summary>
    public ushort AddressOf(string name) =>
        Definition is null ? throw new InvalidOperationException($"SunSpec model {Id} is not known to Edge.") : (ushort)(StartAddress + Definition[name].Offset);

    /// <summary>Registers after the header that the definition needs, capped at what the device reports.</summary>
    public int TotalRegisters => Length + 2;
}
