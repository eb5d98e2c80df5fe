using System.Text;
using Edge.Mqtt.Commands;
using Edge.Mqtt.Outbox;
using Edge.Mqtt.Protocol;
using Edge.Mqtt.Sparkplug;
using Edge.Runtime.Files;
using Edge.Tests.Shared;

namespace Edge.Mqtt.Tests;

/// <summary>
/// Issue 18 for the files Edge reads back (outbox spool, command audit, Sparkplug bdSeq): a symbolic link is followed —
/// the data lands in its target and the link survives rewrites and rotation — and a device or FIFO is refused with a
/// clear error, left exactly as it was.
/// </summary>
public sealed class StoresFollowTheOutputPolicyTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("edge-stores-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string P(string name) => Path.Combine(_dir, name);

    private string Link(string name, string target)
    {
        Directory.CreateDirectory(P("real"));
        File.CreateSymbolicLink(P(name), P("real/" + target));
        return P(name);
    }

    [Fact]
    public void The_spool_writes_through_a_link_and_the_link_survives_its_rewrites()
    {
        string link = Link("outbox.spool", "outbox.spool");
        using (var spool = new FileOutboxSpool(link))
        {
            spool.Append("t", "kept"u8, MqttQualityOfServiceLevel.AtLeastOnce, false, OutboxPriority.Telemetry);
        }

        using (var spool = new FileOutboxSpool(link)) // replays, then rewrites (temp + rename) the file
        {
            Assert.Equal(["kept"], spool.LoadPending().Select(m => Encoding.UTF8.GetString(m.Payload.Span)).ToList());
        }

        Assert.Equal(SpecialFiles.SymlinkType, SpecialFiles.TypeOf(link));
        Assert.True(new FileInfo(P("real/outbox.spool")).Length > 0);
    }

    [Fact]
    public void The_audit_rotates_the_real_files_and_keeps_the_link()
    {
        string link = Link("audit.jsonl", "audit.jsonl");
        using (var audit = new CommandAuditLog(link, maxBytes: 600, files: 3))
        {
            for (int i = 0; i < 20; i++)
            {
                audit.Write("alice", "mode", $"id-{i}", "rejected", false, "test", false, "{}"u8);
            }
        }

        Assert.Equal(SpecialFiles.SymlinkType, SpecialFiles.TypeOf(link));
        Assert.True(File.Exists(P("real/audit.jsonl.1")), "rotation happened beside the target");
        Assert.Contains("id-19", File.ReadAllText(link), StringComparison.Ordinal);
    }

    [Fact]
    public void The_bdseq_store_writes_through_a_link()
    {
        string link = Link("bdseq", "bdseq");
        var store = new FileBdSeqStore(link);
        store.Save(42);
        store.Save(43);
        Assert.Equal(43, store.Load());
        Assert.Equal(SpecialFiles.SymlinkType, SpecialFiles.TypeOf(link));
        Assert.Equal("43", File.ReadAllText(P("real/bdseq")));
    }

    [Fact]
    public void A_device_or_fifo_is_refused_as_a_store_and_left_as_it_was()
    {
        string dev = SpecialFiles.NullDevice(_dir);
        string devType = SpecialFiles.TypeOf(dev);
        string fifo = SpecialFiles.Fifo(_dir, "pipe");
        foreach (string path in new[] { dev, fifo })
        {
            string type = SpecialFiles.TypeOf(path);
            Assert.Contains("must be a regular file", Assert.Throws<OutputFileException>(() => new FileOutboxSpool(path)).Message, StringComparison.Ordinal);
            Assert.Throws<OutputFileException>(() => new CommandAuditLog(path, 1000, 2));
            Assert.Throws<OutputFileException>(() => new FileBdSeqStore(path).Save(1));
            Assert.Equal(type, SpecialFiles.TypeOf(path));
        }

        Assert.Equal(devType, SpecialFiles.TypeOf(dev));
    }
}
