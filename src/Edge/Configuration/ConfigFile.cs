using System.Globalization;
using System.Text;
using System.Text.Json;
using Edge.Cli;
using Edge.Core;
using Edge.Daemon;
using Edge.Runtime.Files;
using Microsoft.Extensions.Configuration;

namespace Edge.Configuration;

/// <summary>
/// Loads a JSON configuration file strictly: a directory, a missing or unreadable file, anything that is not a regular
/// file (a FIFO, a device like <c>/dev/zero</c>, a socket — refused by <see cref="InputFile"/> without opening it),
/// anything larger than <see cref="MaxBytes"/>, text that is not UTF-8, JSON with a
/// syntax error (line and column), a top level that is not an object, and a top-level key that is not a section are
/// each a <see cref="UsageException"/> naming the file and the fix. <see cref="Bind{T}"/> binds a section strictly.
/// </summary>
public static class ConfigFile
{
    /// <summary>Largest configuration file read, bytes (a configuration is a few kB).</summary>
    public const int MaxBytes = 1024 * 1024;

    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        // What Microsoft.Extensions.Configuration.Json itself accepts, minus duplicate keys (the last would win silently).
        AllowTrailingCommas = true,
        CommentHandling = JsonCommentHandling.Skip,
        AllowDuplicateProperties = false,
        MaxDepth = 32,
    };

    /// <summary>
    /// Loads <paramref name="path"/> (JSON) checked as <see cref="Open"/> does — its shape against
    /// <paramref name="sections"/> when given — then every key no option of <paramref name="sections"/> takes and every
    /// value its option cannot hold (<see cref="UnknownOptionKeys"/>), all at once with their paths.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="sections">Section name → options class; null = no check of keys.</param>
    /// <param name="setElsewhere">Keys (full path, e.g. <c>Controller:PeriodMs</c>) the command sets otherwise, each with
    /// what sets it: refused, never read and silently overwritten.</param>
    public static IConfiguration Load(string path, IReadOnlyDictionary<string, Type>? sections = null, IReadOnlyDictionary<string, string>? setElsewhere = null)
    {
        IConfiguration config;
        try
        {
            config = new ConfigurationBuilder().AddJsonStream(Open(path, sections: sections)).Build();
        }
        catch (Exception e) when (e is FormatException or InvalidDataException or JsonException)
        {
            throw new UsageException($"--config: '{path}' is not valid JSON: {e.InnerException?.Message ?? e.Message}", e);
        }

        IReadOnlyList<OptionError> problems = sections is null ? [] : UnknownOptionKeys.Find(config, sections, setElsewhere);
        return problems.Count == 0
            ? config
            : throw new UsageException($"--config: '{path}': invalid configuration:" + Environment.NewLine + "  "
                + string.Join(Environment.NewLine + "  ", problems.Select(Describe)));
    }

    /// <summary>
    /// Reads and checks <paramref name="path"/> and returns its bytes as a stream for
    /// <see cref="JsonConfigurationExtensions.AddJsonStream"/> (the file is read once, bounded; nothing re-reads it).
    /// With <paramref name="sections"/> (section name → options class) the values' shapes are checked too
    /// (<see cref="ConfigShape"/>: no null, no object or array where a single value is expected, lists as lists).
    /// </summary>
    public static Stream Open(string path, string what = "--config", IReadOnlyDictionary<string, Type>? sections = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        byte[] bytes = ReadBounded(path, what);

        // A UTF-8 byte-order mark (Windows editors write one) is skipped, as in rig files.
        int mark = bytes.Length - InputFile.WithoutByteOrderMark(bytes).Length;
        bytes = mark == 0 ? bytes : bytes[mark..];
        Check(bytes, path, what, sections);
        return new MemoryStream(bytes, writable: false);
    }

    private static byte[] ReadBounded(string path, string what)
    {
        if (Directory.Exists(path))
        {
            throw new UsageException($"{what}: '{path}' is a directory, not a configuration file: name a .json file (e.g. {Path.Combine(path, "edge.json")}).");
        }

        if (InputFile.Problem(path) is { } problem)
        {
            throw new UsageException($"{what}: '{path}' {problem}.");
        }

        try
        {
            return InputFile.TryReadBounded(path, MaxBytes, out byte[] bytes)
                ? bytes
                : throw new UsageException(string.Create(CultureInfo.InvariantCulture,
                    $"{what}: '{path}' is larger than {MaxBytes / 1024} KiB: a configuration is a few kB — is it the right file?"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"{what}: cannot read '{path}': {e.Message}", e);
        }
    }

    private static void Check(byte[] bytes, string path, string what, IReadOnlyDictionary<string, Type>? sections)
    {
        try
        {
            _ = new UTF8Encoding(false, true).GetCharCount(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new UsageException($"{what}: '{path}' is not UTF-8 text (a configuration is JSON).", e);
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes, DocumentOptions);
        }
        catch (JsonException e)
        {
            throw new UsageException($"{what}: '{path}' is not valid JSON {JsonSyntaxError.Describe(e, bytes)}", e);
        }

        using (document)
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new UsageException($"{what}: '{path}': $ must be an object of sections, like {{ \"Controller\": {{ \"RampUpWPerS\": 500 }} }} (got {Kind(root)}).");
            }

            var problems = new List<string>();
            foreach (JsonProperty section in root.EnumerateObject())
            {
                if (section.Value.ValueKind != JsonValueKind.Object)
                {
                    problems.Add($"$.{section.Name} = {Shorten(section.Value)}: a top-level key must be a section object, like \"{section.Name}\": {{ \"Key\": value }} — move it into its section (e.g. {{ \"Controller\": {{ \"{section.Name}\": {Shorten(section.Value)} }} }})");
                }
            }

            if (sections is not null)
            {
                problems.AddRange(ConfigShape.Problems(root, sections));
            }

            if (problems.Count > 0)
            {
                throw new UsageException($"{what}: '{path}' is not a configuration:" + Environment.NewLine + "  " + string.Join(Environment.NewLine + "  ", problems));
            }
        }
    }

    private static string Kind(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Array => "a list",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => e.ValueKind.ToString(),
    };

    /// <summary>A JSON value as written, for a message: objects and arrays elided, anything longer than 40 characters cut.</summary>
    internal static string Shorten(JsonElement e)
    {
        string text = e.ValueKind switch
        {
            JsonValueKind.Object => "{…}",
            JsonValueKind.Array => "[…]",
            _ => e.GetRawText(),
        };
        return text.Length <= 40 ? text : text[..37] + "…";
    }

    /// <summary>
    /// <paramref name="error"/> as the sentence shown to the user, its value made safe to print: a value with control
    /// characters (a NUL, an escape sequence) or longer than 40 characters is quoted with them escaped (<c>\x00</c>) and
    /// cut, by the same rule as the trace reader's messages (<see cref="Replay.CsvTrace.Show"/>).
    /// </summary>
    public static string Describe(OptionError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        string value = error.Value;
        // A value its source has already cut (OptionError.Shorten, e.g. the rig loader's) is not cut again.
        bool shortEnough = value.Length <= 40 || (value.Length <= OptionError.ShortenedMaxLength + 1 && value.EndsWith('…'));
        if (shortEnough && !value.Any(c => char.IsControl(c) || char.IsSurrogate(c) || c == '\uFFFD'))
        {
            return error.ToString();
        }

        bool quoted = value.Length >= 2 && value[0] == '"' && value[^1] == '"';
        return (error with { Value = Replay.CsvTrace.Show(quoted ? value[1..^1] : value) }).ToString();
    }

    /// <summary>
    /// Binds section <paramref name="section"/> of <paramref name="config"/> onto <paramref name="target"/> (keys
    /// present override the target's current values). Unknown keys and unconvertible values are errors.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "The option classes are Edge's own, kept whole in a natively compiled edge (TrimmerRootAssembly in Edge.csproj); the reflection binder fills them there as under the JIT (the sim, hil and config runs of tests/native-smoke.sh).")]
    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("AOT", "IL3050", Justification = "The option classes are Edge's own, kept whole in a natively compiled edge (TrimmerRootAssembly in Edge.csproj); the reflection binder fills them there as under the JIT (the sim, hil and config runs of tests/native-smoke.sh).")]
    public static void Bind<T>(IConfiguration config, string section, T target, string source)
        where T : class
    {
        IConfigurationSection s = config.GetSection(section);
        if (!s.Exists())
        {
            return;
        }

        try
        {
            s.Bind(target, o => o.ErrorOnUnknownConfiguration = true);
        }
        catch (InvalidOperationException e)
        {
            throw new UsageException($"{source}: {e.Message}", e);
        }
    }
}
