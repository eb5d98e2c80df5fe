using System.Globalization;

namespace Edge.Runtime.Realtime;

/// <summary>Parses Linux CPU lists ("0", "0-2,4") into a 64-bit mask (CPUs 0–63).</summary>
public static class CpuList
{
    /// <summary>Parses <paramref name="text"/>; an empty text is an empty mask. False on bad syntax or CPU ≥ 64.</summary>
    public static bool TryParse(string? text, out ulong mask)
    {
        mask = 0;
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        foreach (string part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            string[] range = part.Split('-', StringSplitOptions.TrimEntries);
            if (range.Length is < 1 or > 2
                || !int.TryParse(range[0], NumberStyles.None, CultureInfo.InvariantCulture, out int first)
                || first > 63)
            {
                return false;
            }

            int last = first;
            if (range.Length == 2 && (!int.TryParse(range[1], NumberStyles.None, CultureInfo.InvariantCulture, out last) || last > 63 || last < first))
            {
                return false;
            }

            for (int cpu = first; cpu <= last; cpu++)
            {
                mask |= 1UL << cpu;
            }
        }

        return true;
    }

    /// <summary>Formats a mask as a CPU list ("0-1,3").</summary>
    public static string Format(ulong mask)
    {
        var parts = new List<string>();
        for (int cpu = 0; cpu < 64; cpu++)
        {
            if ((mask & (1UL << cpu)) == 0)
            {
                continue;
            }

            int last = cpu;
            while (last < 63 && (mask & (1UL << (last + 1))) != 0)
            {
                last++;
            }

            parts.Add(last == cpu ? cpu.ToString(CultureInfo.InvariantCulture) : $"{cpu}-{last}");
            cpu = last;
        }

        return parts.Count == 0 ? "(none)" : string.Join(',', parts);
    }
}
