using System.Net.Sockets;
using System.Text;
using Edge.Runtime.Files;
using Edge.Tests.Shared;

namespace Edge.Runtime.Tests.Files;

/// <summary>
/// The output policy on every kind of file, each made in a temporary directory (never the machine's /dev/null): a
/// regular file is replaced whole; a character device, a FIFO and a socket are written in place and stay what they
/// were; a link is followed and stays a link; a directory, a block device, a missing directory and a link loop are
/// refused before anything is written.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class OutputFileTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly string _dir = Directory.CreateTempSubdirectory("edge-output-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string P(string name) => Path.Combine(_dir, name);

    [Fact]
    public void A_new_file_is_created_and_a_regular_file_is_replaced_keeping_its_permissions()
    {
        string path = P("out.json");
        OutputFile.WriteText(path, "first");
        Assert.Equal("first", File.ReadAllText(path));

        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        OutputFile.WriteText(path, "second, longer");
        Assert.Equal("second, longer", File.ReadAllText(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(SpecialFiles.RegularType, SpecialFiles.TypeOf(path));
        Assert.Single(Directory.GetFiles(_dir)); // no temporary file left behind
    }

    [Fact]
    public void A_failing_writer_leaves_the_old_file_and_no_temporary_file()
    {
        string path = P("keep.txt");
        File.WriteAllText(path, "old");
        Assert.Throws<InvalidOperationException>(() => OutputFile.Write(path, s =>
        {
            s.WriteByte(1);
            throw new InvalidOperationException("writer failed");
        }));
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(_dir));
    }

    [Fact]
    public void A_character_device_is_written_in_place_and_stays_a_device()
    {
        string dev = SpecialFiles.NullDevice(_dir);
        string type = SpecialFiles.TypeOf(dev);
        SpecialFiles.FifoReader? reader = type == SpecialFiles.FifoType ? SpecialFiles.ReadFifo(dev) : null;

        OutputFile.WriteText(dev, "swallowed");

        reader?.Finish(Timeout);
        Assert.Equal(type, SpecialFiles.TypeOf(dev));
        Assert.Equal(SpecialFiles.IsRoot ? SpecialFiles.CharacterDeviceType : SpecialFiles.FifoType, type);
        Assert.Single(Directory.GetFileSystemEntries(_dir));
    }

    [Fact]
    public void A_fifo_receives_the_data_and_stays_a_fifo()
    {
        string fifo = SpecialFiles.Fifo(_dir);
        SpecialFiles.FifoReader reader = SpecialFiles.ReadFifo(fifo);

        OutputFile.WriteText(fifo, "through the pipe");

        Assert.Equal("through the pipe", Encoding.UTF8.GetString(reader.Finish(Timeout)));
        Assert.Equal(SpecialFiles.FifoType, SpecialFiles.TypeOf(fifo));
    }

    [Fact]
    public async Task A_unix_socket_receives_the_data_and_stays_a_socket()
    {
        string path = P("out.sock");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(1);
        Task<string> received = Task.Run(() =>
        {
            using Socket peer = listener.Accept();
            using var stream = new NetworkStream(peer);
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        });

        OutputFile.WriteText(path, "over a socket");

        Assert.Equal("over a socket", await received.WaitAsync(Timeout));
        Assert.Equal("socket", SpecialFiles.TypeOf(path));
    }

    [Fact]
    public void A_link_is_followed_to_its_target_and_stays_a_link()
    {
        string target = P("target.json");
        File.WriteAllText(target, "old");
        string link = P("link.json");
        File.CreateSymbolicLink(link, "target.json");
        string chain = P("chain.json");
        File.CreateSymbolicLink(chain, link);

        OutputFile.WriteText(chain, "new");

        Assert.Equal(SpecialFiles.SymlinkType, SpecialFiles.TypeOf(link));
        Assert.Equal(SpecialFiles.SymlinkType, SpecialFiles.TypeOf(chain));
        Assert.Equal("target.json", new FileInfo(link).LinkTarget);
        Assert.Equal("new", File.ReadAllText(target));
    }

    [Fact]
    public void A_dangling_link_creates_its_target()
    {
        string link = P("dangling.json");
        File.CreateSymbolicLink(link, P("made.json"));

        OutputFile.WriteText(link, "made");

        Assert.Equal(SpecialFiles.SymlinkType, SpecialFiles.TypeOf(link));
        Assert.Equal("made", File.ReadAllText(P("made.json")));
    }

    [Fact]
    public void A_link_to_a_device_writes_the_device_and_leaves_both()
    {
        string dev = SpecialFiles.NullDevice(_dir);
        string type = SpecialFiles.TypeOf(dev);
        string link = P("to-null");
        File.CreateSymbolicLink(link, dev);
        SpecialFiles.FifoReader? reader = type == SpecialFiles.FifoType ? SpecialFiles.ReadFifo(dev) : null;

        OutputFile.WriteText(link, "x");

        reader?.Finish(Timeout);
        Assert.Equal(type, SpecialFiles.TypeOf(dev));
        Assert.Equal(SpecialFiles.SymlinkType, SpecialFiles.TypeOf(link));
    }

    [Fact]
    public void A_directory_a_missing_directory_and_a_link_loop_are_refused_before_anything_is_written()
    {
        Directory.CreateDirectory(P("sub"));
        Assert.Contains("is a directory", Assert.Throws<OutputFileException>(() => OutputFile.WriteText(P("sub"), "x")).Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", Assert.Throws<OutputFileException>(() => OutputFile.WriteText(P("nope/out.json"), "x")).Message, StringComparison.Ordinal);
        File.CreateSymbolicLink(P("a"), P("b"));
        File.CreateSymbolicLink(P("b"), P("a"));
        Assert.Contains("symbolic links", Assert.Throws<OutputFileException>(() => OutputFile.WriteText(P("a"), "x")).Message, StringComparison.Ordinal);
        Assert.NotNull(OutputFile.Check(P("sub")));
        Assert.True(Directory.Exists(P("sub")));
        Assert.Empty(Directory.GetFileSystemEntries(P("sub")));
    }

    [Fact]
    public void A_block_device_is_never_written()
    {
        if (!SpecialFiles.IsRoot)
        {
            Assert.NotEqual("true", Environment.GetEnvironmentVariable("CI")); // CI runs as root: this must run there
            return;
        }

        string disk = P("disk");
        SpecialFiles.Run("mknod", disk, "b", "7", "250"); // a loop-device node that is never opened
        var e = Assert.Throws<OutputFileException>(() => OutputFile.WriteText(disk, "x"));
        Assert.Contains("block device", e.Message, StringComparison.Ordinal);
        Assert.Equal("block special file", SpecialFiles.TypeOf(disk));
    }

    [Fact]
    public void Standard_output_is_a_descriptor_and_never_a_store()
    {
        Assert.Equal(1, OutputFile.Resolve("-").Descriptor);
        Assert.Equal(1, OutputFile.Resolve("/dev/stdout").Descriptor);
        Assert.Equal(2, OutputFile.Resolve("/dev/stderr").Descriptor);
        Assert.Equal(1, OutputFile.Resolve("/proc/self/fd/1").Descriptor);
        Assert.Throws<OutputFileException>(() => OutputFile.ResolveStore("-"));
        Assert.Throws<OutputFileException>(() => OutputFile.ResolveStore("/dev/stdout"));
    }

    [Fact]
    public void A_store_must_resolve_to_a_regular_file()
    {
        string dev = SpecialFiles.NullDevice(_dir);
        string type = SpecialFiles.TypeOf(dev);
        Assert.Throws<OutputFileException>(() => OutputFile.ResolveStore(dev));
        Assert.Throws<OutputFileException>(() => OutputFile.ResolveStore(SpecialFiles.Fifo(_dir)));
        Assert.Equal(type, SpecialFiles.TypeOf(dev));

        File.WriteAllText(P("real"), "");
        File.CreateSymbolicLink(P("alias"), P("real"));
        Assert.Equal(P("real"), OutputFile.ResolveStore(P("alias")));
        Assert.Equal(P("deeper/new.json"), OutputFile.ResolveStore(P("deeper/new.json"))); // its directory is made
        Assert.True(Directory.Exists(P("deeper")));
    }

    [Fact]
    public void Check_changes_nothing_and_never_waits_for_a_fifo_reader()
    {
        string fifo = SpecialFiles.Fifo(_dir);
        Assert.Null(OutputFile.Check(fifo));
        File.WriteAllText(P("kept"), "kept");
        Assert.Null(OutputFile.Check(P("kept")));
        Assert.Equal("kept", File.ReadAllText(P("kept")));
        Assert.Equal(2, Directory.GetFileSystemEntries(_dir).Length);
    }
}
