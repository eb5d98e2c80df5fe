using System.Text.Json;

namespace Edge.Tests.Deploy;

/// <summary>
/// A stand-in for <c>dotnet publish src/Edge --no-self-contained</c>, made in a second from this test's own output
/// folder (which holds edge.dll, its deps.json and runtimeconfig.json because the test project references src/Edge):
/// every runtime assembly edge.deps.json names, plus the app host <c>edge</c> a real publish also leaves there.
/// A real publish takes minutes on the shared CI machine; the files and their layout are the same.
/// </summary>
public sealed class PublishedBuild : IDisposable
{
    private readonly TempDir _dir = new("edge-publish-");

    public PublishedBuild()
    {
        Dir = _dir.Path;
        try
        {
            Copy(AppContext.BaseDirectory);
        }
        catch
        {
            _dir.Dispose();
            throw;
        }
    }

    /// <summary>The publish folder.</summary>
    public string Dir { get; }

    /// <summary>Files of the publish folder that must be installed (all but the app host), relative, '/'-separated.</summary>
    public IEnumerable<string> InstalledFiles => Directory.EnumerateFiles(Dir, "*", SearchOption.AllDirectories)
        .Select(f => Path.GetRelativePath(Dir, f)).Where(n => n != "edge");

    public void Dispose() => _dir.Dispose();

    private void Copy(string bin)
    {
        foreach (string name in RuntimeFiles(Path.Combine(bin, "edge.deps.json")).Append("edge.deps.json").Append("edge.runtimeconfig.json"))
        {
            string source = Path.Combine(bin, name);
            if (!File.Exists(source))
            {
                throw new InvalidOperationException($"{source} (named by edge.deps.json) is not in the test's output folder");
            }

            File.Copy(source, Path.Combine(Dir, name), overwrite: true);
        }

        // Content folders a real publish also has (the SunSpec model notices of Edge.Modbus).
        foreach (string folder in new[] { "sunspec" }.Where(f => Directory.Exists(Path.Combine(bin, f))))
        {
            Directory.CreateDirectory(Path.Combine(Dir, folder));
            foreach (string file in Directory.GetFiles(Path.Combine(bin, folder)))
            {
                File.Copy(file, Path.Combine(Dir, folder, Path.GetFileName(file)));
            }
        }

        // The app host: native code for the build machine. install.sh must leave it out (the launcher replaces it).
        string appHost = Path.Combine(Dir, "edge");
        if (File.Exists(Path.Combine(bin, "edge")))
        {
            File.Copy(Path.Combine(bin, "edge"), appHost);
        }
        else
        {
            File.WriteAllText(appHost, "not a script: stands in for the native app host\n");
        }
    }

    private static IEnumerable<string> RuntimeFiles(string depsJson)
    {
        using JsonDocument deps = JsonDocument.Parse(File.ReadAllText(depsJson));
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (JsonProperty target in deps.RootElement.GetProperty("targets").EnumerateObject())
        {
            foreach (JsonProperty library in target.Value.EnumerateObject())
            {
                if (library.Value.TryGetProperty("runtime", out JsonElement runtime))
                {
                    foreach (JsonProperty asset in runtime.EnumerateObject())
                    {
                        names.Add(Path.GetFileName(asset.Name));
                    }
                }
            }
        }

        return names;
    }
}
