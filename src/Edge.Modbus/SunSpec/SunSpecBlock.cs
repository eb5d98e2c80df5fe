using Edge.Modbus.Client;
using Edge.Modbus.Registers;

namespace Edge.Modbus.SunSpec;

/// <summary>
/// A preallocated image of one model's registers on a device, refreshed with <see cref="Refresh"/> (FC 3, in chunks
/// of at most 125 registers) and decoded point by point with scale factors. Allocation-free after construction.
/// </summary>
public sealed class SunSpecBlock
{
    private readonly ushort[] _registers;

    /// <summary>Creates the image for <paramref name="model"/> (which must have a known definition).</summary>
    public SunSpecBlock(SunSpecModelInstance model)
    {
        Model = model;
        Definition = model.Definition ?? throw new ArgumentException($"SunSpec model {model.Id} is not known to Edge.", nameof(model));
        _registers = new ushort[Math.Min(model.TotalRegisters, Definition.TotalRegisters)];
    }

    /// <summary>The model on the device.</summary>
    public SunSpecModelInstance Model { get; }

    /// <summary>Its definition.</summary>
    public SunSpecModelDefinition Definition { get; }

    /// <summary>The raw registers, model offset 0 = <c>ID</c>.</summary>
    public ReadOnlySpan<ushort> Registers => _registers;

    /// <summary>Reads registers [<paramref name="fromOffset"/>, <paramref name="toOffset"/>) of the model from the device (default: all).</summary>
    public ModbusResult Refresh(ModbusTcpClient client, byte unitId, int fromOffset = 0, int toOffset = int.MaxValue)
    {
        int end = Math.Min(toOffset, _registers.Length);
        for (int offset = fromOffset; offset < end; offset += 125)
        {
            int count = Math.Min(125, end - offset);
            ModbusResult r = client.ReadHoldingRegisters(unitId, (ushort)(Model.StartAddress + offset), _registers.AsSpan(offset, count));
            if (!r.IsOk)
            {
                return r;
            }
        }

        return ModbusResult.Ok;
    }

    /// <summary>Sets the image from registers read elsewhere (tests, FC 23 answers).</summary>
    public void Load(int offset, ReadOnlySpan<ushort> registers) => registers.CopyTo(_registers.AsSpan(offset));

    /// <summary>
    /// Decodes <paramref name="point"/> with its scale factor. False when the point lies beyond what the device
    /// reports, holds the "not implemented" value, or its scale factor is not implemented.
    /// </summary>
    public bool TryRead(SunSpecPoint point, out double value)
    {
        value = double.NaN;
        if (point.RegisterType is not RegisterType type || point.Offset + point.Size > _registers.Length)
        {
            return false;
        }

        ReadOnlySpan<ushort> raw = _registers.AsSpan(point.Offset, point.Size);
        if (RegisterCodec.IsNotImplemented(raw, type))
        {
            return false;
        }

        value = RegisterCodec.Decode(raw, type);
        if (point.ScaleFactorName is null)
        {
            return true;
        }

        if (!TryScale(Definition[point.ScaleFactorName], out double scale))
        {
            value = double.NaN;
            return false;
        }

        value *= scale;
        return true;
    }

    /// <summary>Decodes the point named <paramref name="name"/> (allocation-free lookup; prefer cached points on hot paths).</summary>
    public bool TryRead(string name, out double value)
    {
        if (!Definition.TryGetPoint(name, out SunSpecPoint point))
        {
            value = double.NaN;
            return false;
        }

        return TryRead(point, out value);
    }

    /// <summary>10^sf for the scale-factor point <paramref name="scaleFactor"/>; false when it is not implemented or out of range.</summary>
    public bool TryScale(SunSpecPoint scaleFactor, out double scale)
    {
        scale = double.NaN;
        if (scaleFactor.Offset >= _registers.Length)
        {
            return false;
        }

        ushort raw = _registers[scaleFactor.Offset];
        short sf = (short)raw;
        if (raw == 0x8000 || sf < -10 || sf > 10)
        {
            return false;
        }

        scale = Pow10(sf);
        return true;
    }

    /// <summary>10^<paramref name="exponent"/> for the small exponents SunSpec uses, exactly where possible.</summary>
    public static double Pow10(int exponent) => exponent >= 0 ? Math.Pow(10, exponent) : 1.0 / Math.Pow(10, -exponent);
}
