namespace Edge.Devices.Shunts;

/// <summary>
/// Reads one result register of a shunt monitor: its raw bits (for the stuck-value fingerprint) and its value in SI
/// units. What differs between chips (register address, width, LSB); <see cref="ShuntMeasurementReader"/> does the rest.
/// </summary>
internal interface IShuntRegisterReader
{
    /// <summary>
    /// Reads the register of <paramref name="quantity"/> (exactly one flag of <see cref="ShuntReadSet"/>): value in W, A
    /// or V (0 on a bus error) and the raw register bits. Returns false on a bus error. Allocation-free.
    /// </summary>
    bool TryReadQuantity(ShuntReadSet quantity, out double value, out ulong raw);
}
