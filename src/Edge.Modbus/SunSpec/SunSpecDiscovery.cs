using Edge.Modbus.Client;

namespace Edge.Modbus.SunSpec;

/// <summary>
/// Finds a device's SunSpec models: looks for "SunS" at 40000, 0 and 50000 (in that order, as the SunSpec Modbus
/// specification lists them), then walks the chain model by model (<c>ID</c>, <c>L</c>) until the end marker 0xFFFF.
/// Uses FC 3. Allocates (runs once per connection, never on the setpoint path).
/// </summary>
public static class SunSpecDiscovery
{
    /// <summary>The base addresses tried, in order.</summary>
    public static IReadOnlyList<ushort> BaseAddresses { get; } = [40000, 0, 50000];

    /// <summary>Upper bound on the models walked (guards against a chain without end marker).</summary>
    public const int MaxModels = 64;

    /// <summary>Discovers the model chain. Returns false with a reason when the device is not SunSpec or the link fails.</summary>
    public static bool TryDiscover(ModbusTcpClient client, byte unitId, out SunSpecMap? map, out string error)
    {
        map = null;
        Span<ushort> pair = stackalloc ushort[2];
        foreach (ushort baseAddress in BaseAddresses)
        {
            ModbusResult r = client.ReadHoldingRegisters(unitId, baseAddress, pair);
            if (r.IsLinkFailure)
            {
                error = $"reading the SunSpec marker at {baseAddress} failed: {r}";
                return false;
            }

            if (!r.IsOk || pair[0] != SunSpecModels.Marker0 || pair[1] != SunSpecModels.Marker1)
            {
                continue;
            }

            var models = new List<SunSpecModelInstance>();
            int address = baseAddress + 2;
            for (int i = 0; i < MaxModels; i++)
            {
                if (address > 65534)
                {
                    error = $"the SunSpec chain at {baseAddress} runs past the end of the register space";
                    return false;
                }

                r = client.ReadHoldingRegisters(unitId, (ushort)address, pair);
                if (!r.IsOk && !(r.Status == ModbusStatus.Exception && models.Count > 0))
                {
                    error = $"reading the model header at {address} failed: {r}";
                    return false;
                }

                // Some devices answer an exception instead of an end marker after the last model: treat it as the end.
                if (!r.IsOk || pair[0] == SunSpecModels.EndMarker)
                {
                    map = new SunSpecMap(baseAddress, models);
                    error = "";
                    return true;
                }

                SunSpecModels.TryGet(pair[0], out SunSpecModelDefinition? definition);
                models.Add(new SunSpecModelInstance(pair[0], (ushort)address, pair[1], definition));
                address += 2 + pair[1];
            }

            error = $"the SunSpec chain at {baseAddress} has more than {MaxModels} models (no end marker?)";
            return false;
        }

        error = "no \"SunS\" marker at 40000, 0 or 50000";
        return false;
    }
}
