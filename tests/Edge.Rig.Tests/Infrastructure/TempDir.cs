namespace Edge.Rig.Tests.Infrastructure;

/// <summary>A fresh directory under /tmp, removed on dispose.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir(string prefix = "edge-rig-") =>
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), prefix + Guid.NewGuid().ToString("N")[..12]);

    /// <summary>The directory (not created: the daemon must create its own state directory).</summary>
    public string Path { get; }

    /// <summary>A path inside the directory.</summary>
    public string this[string name] => System.IO.Path.Combine(Path, name);

    public string Create()
    {
        Directory.CreateDirectory(Path);
        return Path;
    }

    public void Dispose()
    {
        try
        {
            if (Directory.Exists(Path))
            {
                Directory.Delete(Path, recursive: true);
            }
        }
        catch (IOException)
        {
        }
    }
}
