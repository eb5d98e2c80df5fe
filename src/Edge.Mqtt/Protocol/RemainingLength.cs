namespace Edge.Mqtt.Protocol;

/// <summary>
/// The fixed header's Remaining Length (MQTT 3.1.1 §2.2.3): 7 bits per byte, least significant group first, the top bit
/// saying "more bytes follow"; one to four bytes, so at most 268 435 455. Decoding is strict: a fifth byte, or a longer
/// encoding than the value needs (e.g. <c>0x80 0x00</c> for 0), is malformed.
/// </summary>
public static class RemainingLength
{
    /// <summary>The largest value four bytes can carry: 268 435 455 (256 MB − 1).</summary>
    public const int Max = 268_435_455;

    /// <summary>Bytes needed to encode <paramref name="value"/> (1–4).</summary>
    public static int SizeOf(int value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(value, Max);
        return value < 128 ? 1 : value < 16_384 ? 2 : value < 2_097_152 ? 3 : 4;
    }

    /// <summary>Encodes <paramref name="value"/> into <paramref name="destination"/>; returns the bytes written.</summary>
    public static int Write(Span<byte> destination, int value)
    {
        int size = SizeOf(value);
        for (int i = 0; i < size; i++)
        {
            byte b = (byte)(value & 0x7F);
            value >>= 7;
            destination[i] = i < size - 1 ? (byte)(b | 0x80) : b;
        }

        return size;
    }

    /// <summary>
    /// Decodes from <paramref name="source"/>. Returns <see cref="DecodeStatus.NeedMoreData"/> when the encoding is
    /// not complete yet, <see cref="DecodeStatus.Malformed"/> (with <paramref name="error"/>) when it can never be valid.
    /// </summary>
    public static DecodeStatus TryRead(ReadOnlySpan<byte> source, out int value, out int bytesUsed, out string? error)
    {
        value = 0;
        bytesUsed = 0;
        error = null;
        int multiplier = 1;
        for (int i = 0; i < 4; i++)
        {
            if (i >= source.Length)
            {
                return DecodeStatus.NeedMoreData;
            }

            byte b = source[i];
            value += (b & 0x7F) * multiplier;
            multiplier <<= 7;
            if ((b & 0x80) == 0)
            {
                if (i > 0 && b == 0)
                {
                    error = "remaining length is not minimally encoded";
                    return DecodeStatus.Malformed;
                }

                bytesUsed = i + 1;
                return DecodeStatus.Complete;
            }
        }

        error = "remaining length is longer than 4 bytes";
        return DecodeStatus.Malformed;
    }
}
