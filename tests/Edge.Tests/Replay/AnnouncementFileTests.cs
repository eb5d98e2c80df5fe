using System.Text;
using Edge.Core.Forecast;
using Edge.Replay;

namespace Edge.Tests.Replay;

/// <summary>The announcement file's bounds: a line is never built past its limit, a file never read past its size limit.</summary>
public sealed class AnnouncementFileTests
{
    [Fact]
    public void An_endless_line_is_refused_after_at_most_the_line_limit_is_held()
    {
        var stream = new Endless((byte)'a');
        FormatException e = Assert.Throws<FormatException>(() => AnnouncementFile.Read(stream, "z.jsonl"));
        Assert.Equal($"z.jsonl:1: $: a line longer than {AnnouncementFile.MaxLineBytes} bytes is not an announcement", e.Message);
        Assert.True(stream.Served < 1 << 20, $"{stream.Served} bytes read for one line");
    }

    [Fact]
    public void An_endless_file_of_blank_lines_is_refused_at_the_size_limit()
    {
        var stream = new Endless((byte)'\n');
        FormatException e = Assert.Throws<FormatException>(() => AnnouncementFile.Read(stream, "n.jsonl"));
        Assert.StartsWith("n.jsonl: ", e.Message, StringComparison.Ordinal);
        Assert.Contains("beyond the limit of 128 MiB for an announcement file", e.Message, StringComparison.Ordinal);
        Assert.InRange(stream.Served, AnnouncementFile.MaxFileBytes, AnnouncementFile.MaxFileBytes + (1 << 16));
    }

    [Fact]
    public void Lines_with_a_byte_order_mark_crlf_and_blank_lines_are_read_in_received_order()
    {
        byte[] text = [.. Encoding.UTF8.Preamble, .. Encoding.UTF8.GetBytes(
            "{\"id\":\"b\",\"kind\":\"job_end\",\"in_s\":0,\"power_w\":1,\"received_s\":2}\r\n\n" +
            "{\"id\":\"a\",\"kind\":\"job_start\",\"in_s\":3,\"power_w\":5,\"received_s\":1}")];
        IReadOnlyList<AnnouncedPhase> list = AnnouncementFile.Read(new MemoryStream(text), "ok.jsonl", lastReceivedNs: 2_000_000_000);
        Assert.Equal(["a", "b"], list.Select(a => a.Id));
        Assert.Equal(4_000_000_000, list[0].StartNs);
    }

    [Fact]
    public void Invalid_utf8_is_named_by_line()
    {
        byte[] text = [.. "\n"u8, .. "{\"id\":\""u8, 0xff, .. "\"}\n"u8];
        FormatException e = Assert.Throws<FormatException>(() => AnnouncementFile.Read(new MemoryStream(text), "u.jsonl"));
        Assert.Equal("u.jsonl:2: not UTF-8 text", e.Message);
    }

    /// <summary>A stream that never ends, of one byte repeated; counts what it served.</summary>
    private sealed class Endless(byte value) : Stream
    {
        public long Served { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => Served; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            Array.Fill(buffer, value, offset, count);
            Served += count;
            return count;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
