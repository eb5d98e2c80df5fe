using System.Net.Sockets;
using Edge.Runtime.Files;
using Edge.Tests.Shared;

namespace Edge.Runtime.Tests.Files;

/// <summary>
/// The input policy: a regular file (or a link to one) is read, up to a bound; a FIFO, a socket, a device, a directory,
/// a missing file and a dangling link are refused by <see cref="InputFile.Problem"/> without being opened — a FIFO
/// nobody writes to would otherwise block the reader for ever.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class InputFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("edge-input-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string P(string name) => Path.Combine(_dir, name);

    [Fact]
    public void A_regular_file_and_a_link_to_it_are_read_whole_within_the_bound()
    {
        string file = P("a.json");
        File.WriteAllText(file, "{\"a\":1}");
        File.CreateSymbolicLink(P("link.json"), file);
        foreach (string path in new[] { file, P("link.json") })
        {
            Assert.Null(InputFile.Problem(path));
            Assert.True(InputFile.TryReadBounded(path, 7, out byte[] bytes));
            Assert.Equal("{\"a\":1}", System.Text.Encoding.UTF8.GetString(bytes));
            Assert.False(InputFile.TryReadBounded(path, 6, out bytes));
            Assert.Empty(bytes);
        }
    }

    [Fact]
    public void A_fifo_is_refused_without_being_opened()
    {
        string fifo = SpecialFiles.Fifo(_dir);
        File.CreateSymbolicLink(P("to-fifo.json"), fifo);
        // Were it opened, this test would hang: nobody writes to the FIFO.
        Assert.StartsWith("is a named pipe (FIFO), not a regular file", InputFile.Problem(fifo));
        Assert.StartsWith("is a named pipe (FIFO)", InputFile.Problem(P("to-fifo.json")));
    }

    [Fact]
    public void Sockets_devices_directories_missing_files_and_dangling_links_are_refused()
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(P("s.sock")));
        File.CreateSymbolicLink(P("dangling.json"), P("nothing.json"));

        Assert.StartsWith("is a socket", InputFile.Problem(P("s.sock")));
        Assert.StartsWith("is a device", InputFile.Problem("/dev/zero"));
        Assert.Equal("is a directory, not a file", InputFile.Problem(_dir));
        Assert.Equal("does not exist", InputFile.Problem(P("nothing.json")));
        Assert.StartsWith("is a symbolic link to nothing", InputFile.Problem(P("dangling.json")));
    }
}
