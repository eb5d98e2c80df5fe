namespace Edge.Modbus.SunSpec;

/// <summary>The result of SunSpec discovery: the base address and every model in the chain, in order.</summary>
/// <param name="BaseAddress">Address of the "SunS" marker (40000, 0 or 50000).</param>
/// <param name="Models">Models in chain order (the end marker excluded).</param>
public sealed record SunSpecMap(ushort BaseAddress, IReadOnlyList<SunSpecModelInstance> Models)
{
    /// <summary>The first model with id <paramref name="id"/>, or null.</summary>
    public SunSpecModelInstance? Find(int id)
    {
        foreach (SunSpecModelInstance m in Models)
        {
            if (m.Id == id)
            {
                return m;
            }
        }

        return null;
    }

    /// <inheritdoc />
    public override string ToString() => $"SunS@{BaseAddress}: " + string.Join(", ", Models.Select(m => $"{m.Id}@{m.StartAddress}(L={m.Length})"));
}
