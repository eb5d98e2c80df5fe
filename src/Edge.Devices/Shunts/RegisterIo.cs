using System.Buffers.Binary;
using Edge.Devices.I2c;

namespace Edge.Devices.Shunts;

/// <summary>
/// Register access shared by the TI shunt monitors: a register read is one combined transfer — write the 8-bit register
/// pointer, repeated START, read the register MSB first (big-endian) — and a write is pointer + MSB + LSB in one write.
/// Allocation-free (stack buffers).
/// </summary>
internal static class RegisterIo
{
    internal static I2cStatus ReadU16(II2cDevice device, byte register, out ushort value)
    {
        Span<byte> pointer = [register];
        Span<byte> data = stackalloc byte[2];
        I2cStatus status = device.WriteRead(pointer, data);
        value = status == I2cStatus.Ok ? BinaryPrimitives.ReadUInt16BigEndian(data) : (ushort)0;
        return status;
    }

    /// <summary>Reads a 24-bit register (INA228 VSHUNT, VBUS, CURRENT, POWER) as an unsigned 24-bit value.</summary>
    internal static I2cStatus ReadU24(II2cDevice device, byte register, out uint value)
    {
        Span<byte> pointer = [register];
        Span<byte> data = stackalloc byte[3];
        I2cStatus status = device.WriteRead(pointer, data);
        value = status == I2cStatus.Ok ? ((uint)data[0] << 16) | ((uint)data[1] << 8) | data[2] : 0;
        return status;
    }

    /// <summary>Reads a 40-bit register (INA228 ENERGY, CHARGE) as an unsigned 40-bit value.</summary>
    internal static I2cStatus ReadU40(II2cDevice device, byte register, out ulong value)
    {
        Span<byte> pointer = [register];
        Span<byte> data = stackalloc byte[5];
        I2cStatus status = device.WriteRead(pointer, data);
        value = status == I2cStatus.Ok
            ? ((ulong)data[0] << 32) | ((ulong)BinaryPrimitives.ReadUInt32BigEndian(data[1..]))
            : 0;
        return status;
    }

    internal static I2cStatus WriteU16(II2cDevice device, byte register, ushort value)
    {
        Span<byte> frame = stackalloc byte[3];
        frame[0] = register;
        BinaryPrimitives.WriteUInt16BigEndian(frame[1..], value);
        return device.Write(frame);
    }

    /// <summary>The exception of a driver's convenience API (never thrown on the sampling path).</summary>
    internal static IOException TransferFailed(II2cDevice device, I2cStatus status) => I2cErrors.TransferFailed(status,
        device.LastErrno, "bus " + device.ConnectionSettings.BusId.ToString(System.Globalization.CultureInfo.InvariantCulture),
        device.ConnectionSettings.DeviceAddress);

    /// <summary>Sign-extends the low <paramref name="bits"/> bits of <paramref name="value"/>.</summary>
    internal static long SignExtend(ulong value, int bits)
    {
        int shift = 64 - bits;
        return (long)(value << shift) >> shift;
    }

    /// <summary>Mixes a raw register word into a fingerprint (order-sensitive; used only for equality).</summary>
    internal static ulong Mix(ulong fingerprint, ulong raw) => (fingerprint * 0x100000001B3UL) ^ raw;
}
