namespace Edge.Core;

/// <summary>
/// "Did you mean" for names a person typed: the closest known name within a small edit distance (case-insensitive
/// Levenshtein), used for unknown rig keys, unknown option keys and <c>--rig</c> names.
/// </summary>
public static class Spelling
{
    /// <summary>The known name closest to <paramref name="typed"/> within <paramref name="maxDistance"/> edits, or null.</summary>
    public static string? Closest(string typed, IEnumerable<string> known, int maxDistance = 2)
    {
        ArgumentNullException.ThrowIfNull(typed);
        ArgumentNullException.ThrowIfNull(known);
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (string k in known)
        {
            int d = Distance(typed, k);
            if (d <= maxDistance && d < bestDistance)
            {
                best = k;
                bestDistance = d;
            }
        }

        return best;
    }

    /// <summary>Case-insensitive Levenshtein distance.</summary>
    public static int Distance(string a, string b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        a = a.ToUpperInvariant();
        b = b.ToUpperInvariant();
        int[] previous = new int[b.Length + 1];
        int[] current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
