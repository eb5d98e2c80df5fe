using System.Globalization;
using System.Text;
using System.Text.Json;
using Edge.Agents.Contract;
using Edge.Core.Forecast;
using Edge.Runtime.Files;

namespace Edge.Replay;

/// <summary>
/// Reads <c>edge replay --announce FILE</c>: JSON lines, each a phase announcement of the agent contract
/// (<see cref="PhaseAnnouncement"/>: <c>id</c>, <c>kind</c>, <c>in_s</c>, <c>power_w</c>, <c>duration_s</c>?,
/// <c>period_s</c>?) plus <c>received_s</c>, the trace time (s) at which Edge receives it. Strict like the contract
/// (unknown or duplicate keys, wrong types, out-of-range values refused, naming the line and the JSON path); blank
/// lines are skipped. A replay has no wall clock, so <c>at</c> is refused: <c>in_s</c> counts from
/// <c>received_s</c>. Consumers see an announcement only from its received time on — never from the trace's future.
/// </summary>
public static class AnnouncementFile
{
    /// <summary>Longest line accepted, bytes (a contract message is at most 4 KiB).</summary>
    public const int MaxLineBytes = AgentJson.MaxPayloadBytes + 256;

    /// <summary>Most announcements in one file.</summary>
    public const int MaxAnnouncements = 1_000_000;

    /// <summary>Largest file accepted, bytes (128 MiB: a million announcements of ~130 bytes).</summary>
    public const long MaxFileBytes = 128L << 20;

    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        // Duplicates are found below, so that the refusal names the key ($.received_s), not the object ($).
        AllowDuplicateProperties = true,
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
        MaxDepth = 4,
    };

    /// <summary>The keys a line may hold: the contract's announcement fields, then <c>received_s</c>.</summary>
    private static readonly string[] KnownKeys =
    [
        .. AgentJson.Options.GetTypeInfo(typeof(PhaseAnnouncement)).Properties.Select(p => p.Name),
        "received_s",
    ];

    /// <summary>
    /// Reads <paramref name="path"/>; the announcements in received order (stable). The path must be a regular file
    /// (<see cref="InputFile.Problem"/>: a FIFO or device is refused without being opened) of at most
    /// <see cref="MaxFileBytes"/>; lines are read at most <see cref="MaxLineBytes"/> at a time. With
    /// <paramref name="lastReceivedNs"/>, an announcement received after it (after the trace's last period) is refused:
    /// it would never be delivered. Throws <see cref="FormatException"/> with <c>FILE:LINE: $.path: reason</c>.
    /// </summary>
    /// <exception cref="IOException">The file cannot be read.</exception>
    /// <exception cref="UnauthorizedAccessException">Permission denied.</exception>
    public static IReadOnlyList<AnnouncedPhase> Read(string path, long? lastReceivedNs = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (InputFile.Problem(path) is { } problem)
        {
            throw new FormatException($"{path}: {problem}.");
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan);
        return Read(stream, path, lastReceivedNs);
    }

    /// <summary>Reads announcements from <paramref name="stream"/> (UTF-8); <paramref name="name"/> names it in errors. See <see cref="Read(string, long?)"/>.</summary>
    public static IReadOnlyList<AnnouncedPhase> Read(Stream stream, string name, long? lastReceivedNs = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (stream.CanSeek && stream.Length > MaxFileBytes)
        {
            throw TooLarge(name, stream.Length);
        }

        var list = new List<AnnouncedPhase>();
        var encoding = new UTF8Encoding(false, throwOnInvalidBytes: true);
        byte[] buffer = new byte[1 << 16];
        byte[] line = new byte[MaxLineBytes + 1];
        int lineLength = 0, lineNo = 0, pos = 0, len = 0;
        long total = 0;
        bool eof = false;
        while (!eof)
        {
            // One line, never more than MaxLineBytes held: the rest of a longer one is refused before it is read.
            bool complete = false;
            while (!complete)
            {
                if (pos == len)
                {
                    len = stream.Read(buffer, 0, buffer.Length);
                    pos = 0;
                    total += len;
                    if (total > MaxFileBytes)
                    {
                        throw TooLarge(name, total);
                    }

                    if (len == 0)
                    {
                        eof = true;
                        break;
                    }
                }

                int end = Array.IndexOf(buffer, (byte)'\n', pos, len - pos);
                int stop = end < 0 ? len : end;
                if (lineLength + (stop - pos) > MaxLineBytes)
                {
                    throw Fail(name, lineNo + 1, $"$: a line longer than {MaxLineBytes} bytes is not an announcement");
                }

                Buffer.BlockCopy(buffer, pos, line, lineLength, stop - pos);
                lineLength += stop - pos;
                pos = end < 0 ? len : end + 1;
                complete = end >= 0;
            }

            if (eof && lineLength == 0)
            {
                break;
            }

            lineNo++;
            int start = lineNo == 1 ? lineLength - InputFile.WithoutByteOrderMark(line.AsSpan(0, lineLength)).Length : 0;
            int count = lineLength - start;
            count -= count > 0 && line[start + count - 1] == (byte)'\r' ? 1 : 0;
            lineLength = 0;
            string text;
            try
            {
                text = encoding.GetString(line, start, count);
            }
            catch (DecoderFallbackException)
            {
                throw Fail(name, lineNo, "not UTF-8 text");
            }

            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            if (list.Count == MaxAnnouncements)
            {
                throw Fail(name, lineNo, $"more than {MaxAnnouncements} announcements");
            }

            AnnouncedPhase a = ParseLine(text, name, lineNo);
            if (a.ReceivedNs > lastReceivedNs)
            {
                throw Fail(name, lineNo, string.Create(CultureInfo.InvariantCulture,
                    $"$.received_s: {a.ReceivedNs / 1e9:G9} s is after the trace's last period ({lastReceivedNs.Value / 1e9:G9} s): it would never be received; drop the line or replay a longer trace"));
            }

            list.Add(a);
        }

        // Stable: equal received times keep the file's order (a later one with the same id replaces the earlier).
        return [.. list.Select((a, i) => (a, i)).OrderBy(x => x.a.ReceivedNs).ThenBy(x => x.i).Select(x => x.a)];
    }

    /// <summary>Parses one line (without its newline) received in file <paramref name="name"/> at <paramref name="lineNo"/>.</summary>
    public static AnnouncedPhase ParseLine(string line, string name, int lineNo)
    {
        ArgumentNullException.ThrowIfNull(line);
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(line, DocumentOptions);
        }
        catch (JsonException e)
        {
            throw Fail(name, lineNo, $"{e.Path ?? "$"}: {FirstSentence(e.Message)}");
        }

        double receivedS;
        var rest = new System.Buffers.ArrayBufferWriter<byte>();
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw Fail(name, lineNo, "$: must be a JSON object");
            }

            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (JsonProperty p in doc.RootElement.EnumerateObject())
            {
                if (!KnownKeys.Contains(p.Name, StringComparer.Ordinal))
                {
                    throw Fail(name, lineNo, $"{KeyPath(p.Name)}: unknown key (known: {string.Join(", ", KnownKeys)})");
                }

                if (!seen.Add(p.Name))
                {
                    throw Fail(name, lineNo, $"{KeyPath(p.Name)}: duplicate key");
                }
            }

            if (!doc.RootElement.TryGetProperty("received_s", out JsonElement received))
            {
                throw Fail(name, lineNo, "$.received_s: is required (the trace time, s, at which Edge receives the announcement)");
            }

            if (received.ValueKind != JsonValueKind.Number || !received.TryGetDouble(out receivedS) || !double.IsFinite(receivedS) || receivedS < 0 || receivedS > 1e9)
            {
                throw Fail(name, lineNo, $"$.received_s: {received.GetRawText()} is not a number of seconds in [0, 1e9]");
            }

            if (doc.RootElement.TryGetProperty("at", out _))
            {
                throw Fail(name, lineNo, "$.at: a replay has no wall clock; give in_s (seconds after received_s)");
            }

            using var w = new Utf8JsonWriter(rest);
            w.WriteStartObject();
            foreach (JsonProperty p in doc.RootElement.EnumerateObject())
            {
                if (p.NameEquals("received_s"))
                {
                    continue;
                }

                p.WriteTo(w);
            }

            w.WriteEndObject();
        }

        ParseResult<PhaseAnnouncement> parsed = AgentJson.Parse<PhaseAnnouncement>(rest.WrittenSpan);
        if (parsed.Value is not { } a)
        {
            throw Fail(name, lineNo, parsed.Error ?? "$: not an announcement");
        }

        long receivedNs = (long)Math.Round(receivedS * 1e9);
        return new AnnouncedPhase(
            a.Id,
            a.Kind,
            receivedNs,
            receivedNs + (long)Math.Round((a.InS ?? 0) * 1e9),
            a.PowerW,
            (long)Math.Round((a.DurationS ?? 0) * 1e9),
            (long)Math.Round((a.PeriodS ?? 0) * 1e9));
    }

    private static FormatException Fail(string name, int lineNo, string message) =>
        new(string.Create(CultureInfo.InvariantCulture, $"{name}:{lineNo}: {message}"));

    private static FormatException TooLarge(string name, long bytes) =>
        new(string.Create(CultureInfo.InvariantCulture,
            $"{name}: {bytes} bytes or more, beyond the limit of {MaxFileBytes / (1 << 20)} MiB for an announcement file; split it or drop announcements the replay does not need."));

    /// <summary>The JSON path of a top-level key: <c>$.name</c>, or <c>$['…']</c> (escaped, cut) when the name is not a plain word.</summary>
    private static string KeyPath(string key) =>
        key.Length is > 0 and <= 40 && key.All(c => char.IsAsciiLetterOrDigit(c) || c == '_')
            ? "$." + key
            : "$[" + CsvTrace.Show(key) + "]";

    private static string FirstSentence(string message)
    {
        int end = message.IndexOf(". ", StringComparison.Ordinal);
        return end > 0 ? message[..end] : message.TrimEnd('.');
    }
}
