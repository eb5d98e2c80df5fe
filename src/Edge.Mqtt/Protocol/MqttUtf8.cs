using System.Buffers.Binary;
using System.Text;
using System.Text.Unicode;

namespace Edge.Mqtt.Protocol;

/// <summary>
/// UTF-8 encoded strings of MQTT 3.1.1 §1.5.3: a two-byte big-endian length then the bytes. They must be well-formed
/// UTF-8 (no surrogates, no overlong forms) and must not contain U+0000 [MQTT-1.5.3-1, -2]; at most 65 535 bytes.
/// Topic names additionally may not be empty or contain wildcards (§4.7).
/// </summary>
public static class MqttUtf8
{
    /// <summary>Largest string length on the wire, bytes.</summary>
    public const int MaxBytes = 65_535;

    /// <summary>Checks the bytes of a received string; returns null when valid, else the reason.</summary>
    public static string? Check(ReadOnlySpan<byte> bytes)
    {
        if (!Utf8.IsValid(bytes))
        {
            return "string is not well-formed UTF-8";
        }

        // In well-formed UTF-8 the byte 0x00 only ever encodes U+0000.
        return bytes.Contains((byte)0) ? "string contains U+0000" : null;
    }

    /// <summary>Checks a string before it is sent; returns null when valid, else the reason.</summary>
    public static string? Check(string text)
    {
        if (text.Contains('\0', StringComparison.Ordinal))
        {
            return "string contains U+0000";
        }

        int length;
        try
        {
            length = StrictUtf8.GetByteCount(text);
        }
        catch (EncoderFallbackException)
        {
            return "string contains an unpaired surrogate";
        }

        return length > MaxBytes ? $"string is {length} bytes long (at most {MaxBytes})" : null;
    }

    /// <summary>Checks a topic name to publish to: a valid string, not empty, without '+' or '#'.</summary>
    public static string? CheckTopicName(string topic)
    {
        if (topic.Length == 0)
        {
            return "topic name is empty";
        }

        if (topic.AsSpan().IndexOfAny('+', '#') >= 0)
        {
            return "topic name contains a wildcard";
        }

        return Check(topic);
    }

    /// <summary>
    /// Checks a topic filter to subscribe to (§4.7.1): a valid non-empty string; '#' only as the whole last level;
    /// '+' only as a whole level.
    /// </summary>
    public static string? CheckTopicFilter(string filter)
    {
        if (filter.Length == 0)
        {
            return "topic filter is empty";
        }

        for (int i = 0; i < filter.Length; i++)
        {
            char c = filter[i];
            bool levelStart = i == 0 || filter[i - 1] == '/';
            bool levelEnd = i == filter.Length - 1 || filter[i + 1] == '/';
            if (c == '#' && !(levelStart && i == filter.Length - 1))
            {
                return "'#' must be the whole last level of a topic filter";
            }

            if (c == '+' && !(levelStart && levelEnd))
            {
                return "'+' must be a whole level of a topic filter";
            }
        }

        return Check(filter);
    }

    /// <summary>Bytes a string takes on the wire, including its two-byte length.</summary>
    public static int SizeOf(string text) => 2 + StrictUtf8.GetByteCount(text);

    /// <summary>Writes the length-prefixed string; returns the bytes written. The string must have passed <see cref="Check(string)"/>.</summary>
    public static int Write(Span<byte> destination, string text)
    {
        int n = StrictUtf8.GetBytes(text, destination[2..]);
        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)n);
        return 2 + n;
    }

    /// <summary>Writes length-prefixed binary data (§1.5.3 form, used for the Will payload and the password).</summary>
    public static int WriteBinary(Span<byte> destination, ReadOnlySpan<byte> data)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)data.Length);
        data.CopyTo(destination[2..]);
        return 2 + data.Length;
    }

    /// <summary>
    /// Reads a length-prefixed string at the start of <paramref name="source"/>: its bytes (validated) and the total
    /// size consumed. Returns the reason when malformed, else null.
    /// </summary>
    public static string? TryRead(ReadOnlySpan<byte> source, out ReadOnlySpan<byte> text, out int consumed)
    {
        text = default;
        consumed = 0;
        if (source.Length < 2)
        {
            return "string length runs past the end of the packet";
        }

        int length = BinaryPrimitives.ReadUInt16BigEndian(source);
        if (source.Length < 2 + length)
        {
            return "string runs past the end of the packet";
        }

        text = source.Slice(2, length);
        consumed = 2 + length;
        return Check(text);
    }

    /// <summary>UTF-8 that throws on unpaired surrogates instead of writing U+FFFD.</summary>
    internal static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
}
