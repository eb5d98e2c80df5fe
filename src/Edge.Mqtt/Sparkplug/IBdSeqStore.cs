using Edge.Runtime.Files;

namespace Edge.Mqtt.Sparkplug;

/// <summary>Keeps the last bdSeq used, so that a restarted node continues the sequence (Sparkplug B 3.0: the caller persists it).</summary>
public interface IBdSeqStore
{
    /// <summary>The last bdSeq used, or −1 when none was stored.</summary>
    int Load();

    /// <summary>Stores the bdSeq just used in a CONNECT.</summary>
    void Save(int bdSeq);
}

/// <summary>bdSeq in memory only (tests, or nodes that accept restarting at 0).</summary>
public sealed class MemoryBdSeqStore : IBdSeqStore
{
    private int _value = -1;

    /// <inheritdoc />
    public int Load() => Volatile.Read(ref _value);

    /// <inheritdoc />
    public void Save(int bdSeq) => Volatile.Write(ref _value, bdSeq);
}

/// <summary>bdSeq in a small text file, replaced atomically under <see cref="OutputFile"/>'s policy for stores.</summary>
public sealed class FileBdSeqStore(string path) : IBdSeqStore
{
    /// <inheritdoc />
    public int Load()
    {
        try
        {
            return int.TryParse(File.ReadAllText(path).Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int v) && v is >= 0 and <= 255 ? v : -1;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return -1;
        }
    }

    /// <inheritdoc />
    public void Save(int bdSeq)
    {
        byte[] text = System.Text.Encoding.ASCII.GetBytes(bdSeq.ToString(System.Globalization.CultureInfo.InvariantCulture));
        OutputFile.ReplaceAtomically(OutputFile.ResolveStore(path), s => s.Write(text));
    }
}
