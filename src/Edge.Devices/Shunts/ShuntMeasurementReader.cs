namespace Edge.Devices.Shunts;

/// <summary>
/// <see cref="IShuntMonitor.TryReadMeasurement"/> for every chip: reads the registers of a <see cref="ShuntReadSet"/>
/// in a fixed order (power first: it is the one read every period), folds their raw bits into the fingerprint, and signs
/// the power, which the chips report as a magnitude, by the current's direction. Allocation-free.
/// </summary>
internal static class ShuntMeasurementReader
{
    /// <summary>Reads <paramref name="set"/> through <paramref name="reader"/>; false (and a default measurement) on a bus error.</summary>
    public static bool TryRead<TReader>(TReader reader, ShuntReadSet set, out ShuntMeasurement measurement)
        where TReader : IShuntRegisterReader
    {
        measurement = default;
        ulong fingerprint = 0;
        if (!TryReadIf(reader, set, ShuntReadSet.Power, ref fingerprint, out double power)
            || !TryReadIf(reader, set, ShuntReadSet.Current, ref fingerprint, out double current)
            || !TryReadIf(reader, set, ShuntReadSet.BusVoltage, ref fingerprint, out double bus)
            || !TryReadIf(reader, set, ShuntReadSet.ShuntVoltage, ref fingerprint, out double shunt))
        {
            return false;
        }

        // The POWER register holds a magnitude; the current's sign says which way power flows.
        if (current < 0)
        {
            power = -power;
        }

        measurement = new ShuntMeasurement(power, current, bus, shunt, fingerprint, false);
        return true;
    }

    /// <summary>Reads <paramref name="quantity"/> when <paramref name="set"/> holds it (value NaN when it does not).</summary>
    private static bool TryReadIf<TReader>(TReader reader, ShuntReadSet set, ShuntReadSet quantity, ref ulong fingerprint, out double value)
        where TReader : IShuntRegisterReader
    {
        value = double.NaN;
        if ((set & quantity) == 0)
        {
            return true;
        }

        if (!reader.TryReadQuantity(quantity, out value, out ulong raw))
        {
            return false;
        }

        fingerprint = RegisterIo.Mix(fingerprint, raw);
        return true;
    }
}
