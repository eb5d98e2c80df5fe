using System.Globalization;
using System.Text;
using System.Text.Json;
using Edge.Agents.Contract;
using Edge.Core.Forecast;

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

    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        AllowDuplicateProperties = false,
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
        MaxDepth = 4,
    };

    /// <summary>Reads <paramref name="path"/>; the announcements in received order (stable). Throws <see cref="FormatException"/> with <c>FILE:LINE: $.path: reason</c>.</summary>
    public static IReadOnlyList<AnnouncedPhase> Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var reader = new StreamReader(path, new UTF8Encoding(false, throwOnInvalidBytes: true), detectEncodingFromByteOrderMarks: false);
        return Read(reader, path);
    }

    /// <summary>Reads announcements from <paramref name="reader"/>; <paramref name="name"/> names it in errors.</summary>
    public static IReadOnlyList<AnnouncedPhase> Read(TextReader reader, string name)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var list = new List<AnnouncedPhase>();
        int lineNo = 0;
        string? line;
        try
        {
            while ((line = reader.ReadLine()) is not null)
            {
                lineNo++;
                if (string.IsNullOrWhiteSpace(line))
                {
                    continue;
                }

                if (Encoding.UTF8.GetByteCount(line) > MaxLineBytes)
                {
                    throw Fail(name, lineNo, $"$: a line longer than {MaxLineBytes} bytes is not an announcement");
                }

                if (list.Count == MaxAnnouncements)
                {
                    throw Fail(name, lineNo, $"more than {MaxAnnouncements} announcements");
                }

                list.Add(ParseLine(line, name, lineNo));
            }
        }
        catch (DecoderFallbackException)
        {
            throw Fail(name, lineNo + 1, "not UTF-8 text");
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

    private static string FirstSentence(string message)
    {
        int end = message.IndexOf(". ", StringComparison.Ordinal);
        return end > 0 ? message[..end] : message.TrimEnd('.');
    }
}
