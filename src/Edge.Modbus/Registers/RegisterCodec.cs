namespace Edge.Modbus.Registers;

/// <summary>
/// Decodes and encodes values in host-order register spans (as <see cref="Client.ModbusTcpClient"/> returns them).
/// Allocation-free.
/// </summary>
public static class RegisterCodec
{
    /// <summary>Number of registers a value of <paramref name="type"/> occupies.</summary>
    public static int SizeOf(RegisterType type) => type switch
    {
        RegisterType.Int16 or RegisterType.UInt16 => 1,
        RegisterType.Int32 or RegisterType.UInt32 or RegisterType.Float32 => 2,
        _ => 4,
    };

    /// <summary>Reads <paramref name="type"/> at the start of <paramref name="registers"/> as a double.</summary>
    public static double Decode(ReadOnlySpan<ushort> registers, RegisterType type, WordOrder order = WordOrder.HighWordFirst) => type switch
    {
        RegisterType.Int16 => (short)registers[0],
        RegisterType.UInt16 => registers[0],
        RegisterType.Int32 => (int)Combine32(registers, order),
        RegisterType.UInt32 => Combine32(registers, order),
        RegisterType.Float32 => BitConverter.UInt32BitsToSingle(Combine32(registers, order)),
        RegisterType.Int64 => (long)Combine64(registers, order),
        RegisterType.UInt64 => Combine64(registers, order),
        _ => double.NaN,
    };

    /// <summary>
    /// True when the raw value is SunSpec's "not implemented" marker for its type (0x8000, 0xFFFF, 0x80000000, 0xFFFFFFFF,
    /// 0x8000000000000000, 0xFFFFFFFFFFFFFFFF) or a float NaN.
    /// </summary>
    public static bool IsNotImplemented(ReadOnlySpan<ushort> registers, RegisterType type, WordOrder order = WordOrder.HighWordFirst) => type switch
    {
        RegisterType.Int16 => registers[0] == 0x8000,
        RegisterType.UInt16 => registers[0] == 0xFFFF,
        RegisterType.Int32 => Combine32(registers, order) == 0x8000_0000u,
        RegisterType.UInt32 => Combine32(registers, order) == 0xFFFF_FFFFu,
        RegisterType.Float32 => float.IsNaN(BitConverter.UInt32BitsToSingle(Combine32(registers, order))),
        RegisterType.Int64 => Combine64(registers, order) == 0x8000_0000_0000_0000ul,
        RegisterType.UInt64 => Combine64(registers, order) == 0xFFFF_FFFF_FFFF_FFFFul,
        _ => true,
    };

    /// <summary>Writes <paramref name="value"/> (rounded and saturated for integer types) into <paramref name="registers"/>.</summary>
    public static void Encode(Span<ushort> registers, RegisterType type, double value, WordOrder order = WordOrder.HighWordFirst)
    {
        switch (type)
        {
            case RegisterType.Int16:
                registers[0] = (ushort)(short)Math.Clamp(Math.Round(value), short.MinValue, short.MaxValue);
                break;
            case RegisterType.UInt16:
                registers[0] = (ushort)Math.Clamp(Math.Round(value), 0, ushort.MaxValue);
                break;
            case RegisterType.Int32:
                Split32(registers, (uint)(int)Math.Clamp(Math.Round(value), int.MinValue, int.MaxValue), order);
                break;
            case RegisterType.UInt32:
                Split32(registers, (uint)Math.Clamp(Math.Round(value), 0, uint.MaxValue), order);
                break;
            case RegisterType.Float32:
                Split32(registers, BitConverter.SingleToUInt32Bits((float)value), order);
                break;
            case RegisterType.Int64:
                Split64(registers, (ulong)(long)Math.Clamp(Math.Round(value), long.MinValue, long.MaxValue), order);
                break;
            case RegisterType.UInt64:
                Split64(registers, (ulong)Math.Clamp(Math.Round(value), 0, ulong.MaxValue), order);
                break;
        }
    }

    /// <summary>Writes a signed 32-bit integer, most significant word first (SunSpec).</summary>
    public static void WriteInt32(Span<ushort> registers, int value) => Split32(registers, (uint)value, WordOrder.HighWordFirst);

    /// <summary>Writes an unsigned 32-bit integer, most significant word first (SunSpec).</summary>
    public static void WriteUInt32(Span<ushort> registers, uint value) => Split32(registers, value, WordOrder.HighWordFirst);

    /// <summary>Reads a signed 32-bit integer, most significant word first (SunSpec).</summary>
    public static int ReadInt32(ReadOnlySpan<ushort> registers) => (int)Combine32(registers, WordOrder.HighWordFirst);

    /// <summary>Reads an unsigned 32-bit integer, most significant word first (SunSpec).</summary>
    public static uint ReadUInt32(ReadOnlySpan<ushort> registers) => Combine32(registers, WordOrder.HighWordFirst);

    /// <summary>Writes an ASCII string, two characters per register, padded with NULs (SunSpec strings).</summary>
    public static void WriteString(Span<ushort> registers, string text)
    {
        for (int i = 0; i < registers.Length; i++)
        {
            int a = 2 * i < text.Length ? text[2 * i] & 0x7F : 0;
            int b = 2 * i + 1 < text.Length ? text[2 * i + 1] & 0x7F : 0;
            registers[i] = (ushort)(a << 8 | b);
        }
    }

    /// <summary>Reads an ASCII string of two characters per register, stopping at the first NUL. Allocates the string.</summary>
    public static string ReadString(ReadOnlySpan<ushort> registers)
    {
        Span<char> chars = stackalloc char[registers.Length * 2];
        int n = 0;
        foreach (ushort r in registers)
        {
            char hi = (char)(r >> 8), lo = (char)(r & 0xFF);
            if (hi == 0)
            {
                break;
            }

            chars[n++] = hi;
            if (lo == 0)
            {
                break;
            }

            chars[n++] = lo;
        }

        return new string(chars[..n]).TrimEnd();
    }

    private static uint Combine32(ReadOnlySpan<ushort> r, WordOrder order) =>
        order == WordOrder.HighWordFirst ? (uint)r[0] << 16 | r[1] : (uint)r[1] << 16 | r[0];

    private static ulong Combine64(ReadOnlySpan<ushort> r, WordOrder order) =>
        order == WordOrder.HighWordFirst
            ? (ulong)r[0] << 48 | (ulong)r[1] << 32 | (ulong)r[2] << 16 | r[3]
            : (ulong)r[3] << 48 | (ulong)r[2] << 32 | (ulong)r[1] << 16 | r[0];

    private static void Split32(Span<ushort> r, uint v, WordOrder order)
    {
        ushort hi = (ushort)(v >> 16), lo = (ushort)v;
        (r[0], r[1]) = order == WordOrder.HighWordFirst ? (hi, lo) : (lo, hi);
    }

    private static void Split64(Span<ushort> r, ulong v, WordOrder order)
    {
        for (int i = 0; i < 4; i++)
        {
            ushort word = (ushort)(v >> (48 - 16 * i));
            r[order == WordOrder.HighWordFirst ? i : 3 - i] = word;
        }
    }
}
