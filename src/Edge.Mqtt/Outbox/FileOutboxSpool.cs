using System.Buffers.Binary;
using System.Text;
using Edge.Mqtt.Protocol;
using Edge.Runtime.Files;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Mqtt.Outbox;

/// <summary>
/// A small append-only journal of QoS 1 messages on disk. Each record is <c>kind, body length, body, CRC-32</c>:
/// kind 'M' stores a message (id, QoS, retain, priority, topic, payload), kind 'D' says a message id is done
/// (acknowledged or dropped). At start the journal is replayed: messages without a 'D' record are pending, in id order;
/// a torn or corrupt tail (a crash mid-write) ends the replay and is logged. The file is then rewritten with the
/// pending messages only, and again whenever it grows past its size limit (live records are copied, nothing is held
/// in memory but their offsets). Writes are unbuffered (one write per record) so a process crash loses nothing that
/// was appended; <c>fsync</c> per record is optional.
/// </summary>
public sealed class FileOutboxSpool : IOutboxSpool
{
    private const byte KindMessage = (byte)'M';
    private const byte KindDone = (byte)'D';
    private const int HeaderBytes = 5;
    private const int TrailerBytes = 4;
    private static ReadOnlySpan<byte> Magic => "EDGESPL1"u8;

    private readonly string _path;
    private readonly long _maxBytes;
    private readonly bool _fsync;
    private readonly ILogger _logger;
    private readonly Dictionary<long, (long Offset, int Length)> _live;
    private readonly List<SpooledMessage> _loaded = [];
    private FileStream _file;
    private byte[] _scratch = new byte[4096];
    private long _nextId = 1;

    /// <summary>Opens (or creates) the spool at <paramref name="path"/> and replays it.</summary>
    public FileOutboxSpool(string path, long maxBytes = 16L * 1024 * 1024, bool fsync = false, int expectedMessages = 10_000, ILogger? logger = null)
    {
        _path = OutputFile.ResolveStore(path);
        _maxBytes = maxBytes;
        _fsync = fsync;
        _logger = logger ?? NullLogger.Instance;
        _live = new Dictionary<long, (long, int)>(expectedMessages);
        if (File.Exists(_path))
        {
            Replay();
        }

        _file = Rewrite();
    }

    /// <summary>Current size of the spool file, bytes.</summary>
    public long SizeBytes => _file.Length;

    /// <summary>Messages currently stored and not done.</summary>
    public int LiveCount => _live.Count;

    /// <inheritdoc />
    public IReadOnlyList<SpooledMessage> LoadPending() => _loaded;

    /// <inheritdoc />
    public long Append(string topic, ReadOnlySpan<byte> payload, MqttQualityOfServiceLevel qos, bool retain, OutboxPriority priority)
    {
        long id = _nextId++;
        int topicBytes = Encoding.UTF8.GetByteCount(topic);
        int body = 8 + 3 + 2 + topicBytes + 4 + payload.Length;
        Span<byte> r = Scratch(HeaderBytes + body + TrailerBytes);
        r[0] = KindMessage;
        BinaryPrimitives.WriteInt32LittleEndian(r[1..], body);
        Span<byte> b = r.Slice(HeaderBytes, body);
        BinaryPrimitives.WriteInt64LittleEndian(b, id);
        b[8] = (byte)qos;
        b[9] = retain ? (byte)1 : (byte)0;
        b[10] = (byte)priority;
        BinaryPrimitives.WriteUInt16LittleEndian(b[11..], (ushort)topicBytes);
        Encoding.UTF8.GetBytes(topic, b[13..]);
        BinaryPrimitives.WriteInt32LittleEndian(b[(13 + topicBytes)..], payload.Length);
        payload.CopyTo(b[(17 + topicBytes)..]);
        BinaryPrimitives.WriteUInt32LittleEndian(r[(HeaderBytes + body)..], Crc32.Compute(b));
        long offset = _file.Length;
        WriteRecord(r);
        _live[id] = (offset, r.Length);
        CompactIfNeeded();
        return id;
    }

    /// <inheritdoc />
    public void Remove(long spoolId)
    {
        if (!_live.Remove(spoolId))
        {
            return;
        }

        Span<byte> r = Scratch(HeaderBytes + 8 + TrailerBytes);
        r[0] = KindDone;
        BinaryPrimitives.WriteInt32LittleEndian(r[1..], 8);
        BinaryPrimitives.WriteInt64LittleEndian(r[HeaderBytes..], spoolId);
        BinaryPrimitives.WriteUInt32LittleEndian(r[(HeaderBytes + 8)..], Crc32.Compute(r.Slice(HeaderBytes, 8)));
        WriteRecord(r);
        CompactIfNeeded();
    }

    /// <inheritdoc />
    public void Dispose() => _file.Dispose();

    private void WriteRecord(ReadOnlySpan<byte> record)
    {
        _file.Write(record);
        if (_fsync)
        {
            _file.Flush(flushToDisk: true);
        }
    }

    private Span<byte> Scratch(int size)
    {
        if (_scratch.Length < size)
        {
            _scratch = new byte[Math.Max(size, _scratch.Length * 2)];
        }

        return _scratch.AsSpan(0, size);
    }

    private void Replay()
    {
        byte[] data = File.ReadAllBytes(_path);
        if (data.Length < Magic.Length || !data.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            _logger.LogWarning("Outbox spool {Path} has no valid header; starting empty", _path);
            return;
        }

        var messages = new SortedDictionary<long, SpooledMessage>();
        int o = Magic.Length;
        while (o < data.Length)
        {
            string? problem = TryReadRecord(data, o, out byte kind, out ReadOnlySpan<byte> body, out int size);
            if (problem is not null)
            {
                _logger.LogWarning("Outbox spool {Path}: {Problem} at byte {Offset}; the rest ({Bytes} bytes) is ignored", _path, problem, o, data.Length - o);
                break;
            }

            long id = BinaryPrimitives.ReadInt64LittleEndian(body);
            _nextId = Math.Max(_nextId, id + 1);
            if (kind == KindDone)
            {
                messages.Remove(id);
            }
            else
            {
                int topicBytes = BinaryPrimitives.ReadUInt16LittleEndian(body[11..]);
                string topic = Encoding.UTF8.GetString(body.Slice(13, topicBytes));
                int payloadLength = BinaryPrimitives.ReadInt32LittleEndian(body[(13 + topicBytes)..]);
                byte[] payload = body.Slice(17 + topicBytes, payloadLength).ToArray();
                messages[id] = new SpooledMessage(id, topic, payload, (MqttQualityOfServiceLevel)body[8], body[9] != 0, (OutboxPriority)body[10]);
            }

            o += size;
        }

        _loaded.AddRange(messages.Values);
        if (_loaded.Count > 0)
        {
            _logger.LogInformation("Outbox spool {Path}: {Count} unacknowledged messages restored", _path, _loaded.Count);
        }
    }

    private static string? TryReadRecord(byte[] data, int offset, out byte kind, out ReadOnlySpan<byte> body, out int size)
    {
        kind = 0;
        body = default;
        size = 0;
        if (data.Length - offset < HeaderBytes)
        {
            return "torn record header";
        }

        kind = data[offset];
        int length = BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(offset + 1));
        if (kind != KindMessage && kind != KindDone)
        {
            return "unknown record kind";
        }

        if (length < 8 || length > data.Length - offset - HeaderBytes - TrailerBytes)
        {
            return "torn or oversized record";
        }

        body = data.AsSpan(offset + HeaderBytes, length);
        uint crc = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(offset + HeaderBytes + length));
        if (crc != Crc32.Compute(body))
        {
            return "record checksum mismatch";
        }

        if (kind == KindMessage && !MessageBodyIsConsistent(body))
        {
            return "inconsistent message record";
        }

        size = HeaderBytes + length + TrailerBytes;
        return null;
    }

    private static bool MessageBodyIsConsistent(ReadOnlySpan<byte> body)
    {
        if (body.Length < 17 || body[8] > 1 || body[9] > 1 || body[10] > 1)
        {
            return false;
        }

        int topicBytes = BinaryPrimitives.ReadUInt16LittleEndian(body[11..]);
        if (body.Length < 17 + topicBytes)
        {
            return false;
        }

        int payloadLength = BinaryPrimitives.ReadInt32LittleEndian(body[(13 + topicBytes)..]);
        return payloadLength >= 0 && body.Length == 17 + topicBytes + payloadLength;
    }

    // Writes the pending messages (first run: the replayed ones; later: the live records of the current file) to a new
    // file and atomically replaces the old one.
    private FileStream Rewrite()
    {
        string temp;
        using (FileStream output = OutputFile.CreateTemporary(_path, out temp))
        {
            output.Write(Magic);
            var newLive = new Dictionary<long, (long, int)>(_live.Count);
            if (_file is null)
            {
                foreach (SpooledMessage m in _loaded)
                {
                    long offset = output.Length;
                    int size = WriteMessageTo(output, m);
                    newLive[m.SpoolId] = (offset, size);
                }
            }
            else
            {
                var ids = new List<long>(_live.Keys);
                ids.Sort();
                byte[] copy = new byte[4096];
                foreach (long id in ids)
                {
                    (long offset, int length) = _live[id];
                    if (copy.Length < length)
                    {
                        copy = new byte[length];
                    }

                    RandomAccess.Read(_file.SafeFileHandle, copy.AsSpan(0, length), offset);
                    newLive[id] = (output.Length, length);
                    output.Write(copy, 0, length);
                }
            }

            output.Flush(flushToDisk: true);
            _live.Clear();
            foreach (var kv in newLive)
            {
                _live[kv.Key] = kv.Value;
            }
        }

        _file?.Dispose();
        File.Move(temp, _path, overwrite: true);
        var file = new FileStream(_path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read, 0);
        file.Seek(0, SeekOrigin.End);
        return file;
    }

    private int WriteMessageTo(FileStream output, SpooledMessage m)
    {
        int topicBytes = Encoding.UTF8.GetByteCount(m.Topic);
        int body = 17 + topicBytes + m.Payload.Length;
        Span<byte> r = Scratch(HeaderBytes + body + TrailerBytes);
        r[0] = KindMessage;
        BinaryPrimitives.WriteInt32LittleEndian(r[1..], body);
        Span<byte> b = r.Slice(HeaderBytes, body);
        BinaryPrimitives.WriteInt64LittleEndian(b, m.SpoolId);
        b[8] = (byte)m.Qos;
        b[9] = m.Retain ? (byte)1 : (byte)0;
        b[10] = (byte)m.Priority;
        BinaryPrimitives.WriteUInt16LittleEndian(b[11..], (ushort)topicBytes);
        Encoding.UTF8.GetBytes(m.Topic, b[13..]);
        BinaryPrimitives.WriteInt32LittleEndian(b[(13 + topicBytes)..], m.Payload.Length);
        m.Payload.Span.CopyTo(b[(17 + topicBytes)..]);
        BinaryPrimitives.WriteUInt32LittleEndian(r[(HeaderBytes + body)..], Crc32.Compute(b));
        output.Write(r);
        return r.Length;
    }

    private void CompactIfNeeded()
    {
        if (_file.Length > _maxBytes)
        {
            _file = Rewrite();
        }
    }
}
