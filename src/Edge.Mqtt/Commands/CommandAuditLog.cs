using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using Edge.Runtime.Files;

namespace Edge.Mqtt.Commands;

/// <summary>
/// Commands as JSON lines: time, operator, command, request id, stage (<c>rejected</c>, <c>queued</c>, <c>applied</c>,
/// <c>failed</c>), ok, error, retained flag, payload size and the first 256 bytes of the payload (as text when it is
/// UTF-8, else base64); and <c>suppressed</c> summaries (how many rejections went unanswered, the last reason). Rotated
/// by size (<c>audit.jsonl</c> → <c>.1</c> … <c>.N</c>) so the disk use is bounded even under a flood; the command
/// processor keeps accepted and rejected traffic in two such logs. Thread-safe; each line is flushed.
/// </summary>
public sealed class CommandAuditLog : IDisposable
{
    private const int PayloadExcerptBytes = 256;
    private readonly string _path;
    private readonly long _maxBytes;
    private readonly int _files;
    private readonly TimeProvider _time;
    private readonly object _gate = new();
    private readonly ArrayBufferWriter<byte> _buffer = new(1024);
    private readonly Utf8JsonWriter _json;
    private FileStream _file;

    /// <summary>Opens (appends to) the audit log.</summary>
    public CommandAuditLog(string path, long maxBytes, int files, TimeProvider? time = null)
    {
        _path = OutputFile.ResolveStore(path); // rotation renames: only ever the real files, never a link or a device
        _maxBytes = maxBytes;
        _files = files;
        _time = time ?? TimeProvider.System;
        _file = Open();
        _json = new Utf8JsonWriter(_buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    /// <summary>Lines written since start.</summary>
    public long Lines { get; private set; }

    /// <summary>Appends one line (<paramref name="payloadBytes"/>: the full size when only part of the payload is given).</summary>
    public void Write(string? operatorName, string command, string? requestId, string stage, bool ok, string? error, bool retained, ReadOnlySpan<byte> payload, int payloadBytes = -1)
    {
        lock (_gate)
        {
            _buffer.ResetWrittenCount();
            _json.Reset(_buffer);
            _json.WriteStartObject();
            _json.WriteString("ts"u8, _time.GetUtcNow().UtcDateTime);
            _json.WriteString("operator"u8, operatorName);
            _json.WriteString("command"u8, command);
            _json.WriteString("id"u8, requestId);
            _json.WriteString("stage"u8, stage);
            _json.WriteBoolean("ok"u8, ok);
            _json.WriteString("error"u8, error);
            _json.WriteBoolean("retained"u8, retained);
            _json.WriteNumber("payload_bytes"u8, payloadBytes >= 0 ? payloadBytes : payload.Length);
            ReadOnlySpan<byte> excerpt = payload[..Math.Min(payload.Length, PayloadExcerptBytes)];
            for (int back = 0; back < 3 && !Utf8.IsValid(excerpt) && excerpt.Length > 0 && excerpt.Length == PayloadExcerptBytes - back; back++)
            {
                excerpt = excerpt[..^1]; // a multi-byte character cut at the excerpt's end
            }

            if (Utf8.IsValid(excerpt))
            {
                _json.WriteString("payload"u8, excerpt);
            }
            else
            {
                _json.WriteBase64String("payload_b64"u8, excerpt);
            }

            _json.WriteEndObject();
            Append();
        }
    }

    /// <summary>
    /// Appends a summary: <paramref name="count"/> messages from <paramref name="operatorName"/> (null: messages that
    /// named no operator) were refused or dropped without a reply or a line of their own since the last summary.
    /// </summary>
    public void WriteSummary(string? operatorName, long count, double periodS, string lastError)
    {
        lock (_gate)
        {
            _buffer.ResetWrittenCount();
            _json.Reset(_buffer);
            _json.WriteStartObject();
            _json.WriteString("ts"u8, _time.GetUtcNow().UtcDateTime);
            _json.WriteString("operator"u8, operatorName);
            _json.WriteString("stage"u8, "suppressed");
            _json.WriteNumber("count"u8, count);
            _json.WriteNumber("period_s"u8, periodS);
            _json.WriteBoolean("ok"u8, false);
            _json.WriteString("error"u8, lastError);
            _json.WriteEndObject();
            Append();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_gate)
        {
            _file.Dispose();
            _json.Dispose();
        }
    }

    private void Append()
    {
        _json.Flush();
        _buffer.Write("\n"u8);
        if (_file.Length + _buffer.WrittenCount > _maxBytes)
        {
            Rotate();
        }

        _file.Write(_buffer.WrittenSpan);
        _file.Flush();
        Lines++;
    }

    private FileStream Open() => new(_path, FileMode.Append, FileAccess.Write, FileShare.Read, 4096);

    private void Rotate()
    {
        _file.Dispose();
        // audit.jsonl.N−1 → .N (the oldest .N is overwritten), …, audit.jsonl → .1.
        for (int i = _files - 1; i >= 1; i--)
        {
            string from = $"{_path}.{i}";
            if (File.Exists(from))
            {
                File.Move(from, $"{_path}.{i + 1}", overwrite: true);
            }
        }

        File.Move(_path, _path + ".1", overwrite: true);
        _file = Open();
    }
}
