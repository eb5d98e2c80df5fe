using Edge.Guard;

namespace Edge.Tests.Guard;

/// <summary>The guard's device list (written by the daemon) read strictly: a damaged one is named by where, not by .NET type names.</summary>
public sealed class GuardDevicesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("edge-guard-devices-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("{\"not\":\"a list\"}", "$, line 1")]
    [InlineData("[{\"id\":\"pcs1\",\"port\":\"x\"}]", "$[0].port")]
    [InlineData("[1,", "line 1")]
    public void A_damaged_device_list_is_refused_saying_where_and_that_the_daemon_rewrites_it(string text, string where)
    {
        string path = Path.Combine(_dir, GuardDevices.FileName);
        File.WriteAllText(path, text);
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => GuardDevices.Load(path));
        Assert.Contains(where, e.Message, StringComparison.Ordinal);
        Assert.Contains("rewritten at the daemon's next start", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", e.Message, StringComparison.Ordinal);
    }
}
