using System.Buffers;
using System.Text;

namespace Edge.Core;

/// <summary>
/// The one rule for a name Edge puts into an MQTT topic as a single level (device ids, site, node, Sparkplug ids):
/// 1 to <see cref="MaxLength"/> characters, none of them <c>/</c> (a level separator), <c>+</c> or <c>#</c> (wildcards) or
/// U+0000, and well-formed text (no unpaired surrogate). The rig loader checks device ids with it when the file is
/// read, so a bad id is refused with its JSON path before anything is opened; the publisher checks it again.
/// </summary>
public static class TopicLevel
{
    /// <summary>Longest name, in UTF-16 characters.</summary>
    public const int MaxLength = 64;

    /// <summary>The rule in words, as it follows "must be …" (also the rig schema's <c>pattern</c> + <c>maxLength</c>).</summary>
    public const string Rule = "one MQTT topic level: 1 to 64 characters, no '/', '+', '#' or U+0000";

    /// <summary>Why <paramref name="value"/> cannot be one topic level, as a phrase ("contains '/'"); null when it can.</summary>
    public static string? Problem(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "is empty";
        }

        if (value.Length > MaxLength)
        {
            return $"is {value.Length} characters long (at most {MaxLength})";
        }

        int bad = value.AsSpan().IndexOfAny("/+#\0");
        if (bad >= 0)
        {
            return value[bad] == '\0' ? "contains U+0000" : $"contains '{value[bad]}'";
        }

        for (int i = 0; i < value.Length;)
        {
            if (Rune.DecodeFromUtf16(value.AsSpan(i), out _, out int used) != OperationStatus.Done)
            {
                return "contains an unpaired surrogate (it is not well-formed text)";
            }

            i += used;
        }

        return null;
    }
}
