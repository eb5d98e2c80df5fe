using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Edge.Core;

/// <summary>
/// A JSON syntax error of a file a person wrote, in one sentence with line and column (<c>at line 3, column 17: '}'
/// is invalid after a property name</c>). A duplicate key — which System.Text.Json reports without a position — is
/// located and named by its JSON path.
/// </summary>
public static class JsonSyntaxError
{
    /// <summary>"at line L, column C: what is wrong" for <paramref name="e"/>, raised while parsing <paramref name="utf8"/>.</summary>
    public static string Describe(JsonException e, ReadOnlySpan<byte> utf8)
    {
        ArgumentNullException.ThrowIfNull(e);
        string message = e.Message;
        int cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        message = cut > 0 ? message[..cut] : message;
        if (e.LineNumber is long line)
        {
            return string.Create(CultureInfo.InvariantCulture, $"at line {line + 1}, column {e.BytePositionInLine + 1}: {message}");
        }

        return FindDuplicate(utf8) is { } d
            ? string.Create(CultureInfo.InvariantCulture, $"at line {d.Line}, column {d.Column}: {d.Path} appears twice (the second would silently win) — keep one")
            : message;
    }

    /// <summary>"at line L, column C: …" for text (UTF-16) input.</summary>
    public static string Describe(JsonException e, string text) => Describe(e, Encoding.UTF8.GetBytes(text ?? string.Empty));

    private static (string Path, long Line, long Column)? FindDuplicate(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var names = new Stack<HashSet<string>>();
        var path = new Stack<string>();
        var index = new Stack<int>();
        string? pending = null;
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        path.Push(Segment(pending, path, index));
                        index.Push(reader.TokenType == JsonTokenType.StartArray ? 0 : -1);
                        names.Push(new HashSet<string>(StringComparer.Ordinal));
                        pending = null;
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        path.Pop();
                        index.Pop();
                        names.Pop();
                        Advance(index);
                        break;
                    case JsonTokenType.PropertyName:
                        pending = reader.GetString()!;
                        if (!names.Peek().Add(pending))
                        {
                            (long l, long c) = Position(utf8, reader.TokenStartIndex);
                            return (string.Concat(path.Reverse()) + "." + pending, l, c);
                        }

                        break;
                    default:
                        pending = null;
                        Advance(index);
                        break;
                }
            }
        }
        catch (JsonException)
        {
        }

        return null;
    }

    private static string Segment(string? name, Stack<string> path, Stack<int> index)
    {
        if (path.Count == 0)
        {
            return "$";
        }

        if (name is not null)
        {
            return "." + name;
        }

        int i = index.Peek();
        return "[" + i.ToString(CultureInfo.InvariantCulture) + "]";
    }

    private static void Advance(Stack<int> index)
    {
        if (index.Count > 0 && index.Peek() >= 0)
        {
            index.Push(index.Pop() + 1);
        }
    }

    private static (long Line, long Column) Position(ReadOnlySpan<byte> utf8, long offset)
    {
        long line = 1, column = 1;
        for (int i = 0; i < offset && i < utf8.Length; i++)
        {
            if (utf8[i] == (byte)'\n')
            {
                line++;
                column = 1;
            }
            else
            {
                column++;
            }
        }

        return (line, column);
    }
}
