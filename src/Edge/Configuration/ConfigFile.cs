using System.Globalization;
using System.Text;
using System.Text.Json;
using Edge.Cli;
using Edge.Core;
using Microsoft.Extensions.Configuration;

namespace Edge.Configuration;

/// <summary>
/// Loads a JSON configuration file strictly: a directory, a missing or unreadable file, anything larger than
/// <see cref="MaxBytes"/> (or endless, like <c>/dev/zero</c> — never read whole), text that is not UTF-8, JSON with a
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

    /// <summary>Loads <paramref name="path"/> (JSON).</summary>
    public static IConfiguration Load(string path) =>
        new ConfigurationBuilder().AddJsonStream(Open(path)).Build();

    /// <summary>
    /// Reads and checks <paramref name="path"/> and returns its bytes as a stream for
    /// <see cref="JsonConfigurationExtensions.AddJsonStream"/> (the file is read once, bounded; nothing re-reads it).
    /// </summary>
    public static Stream Open(string path, string what = "--config")
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        byte[] bytes = ReadBounded(path, what);
        Check(bytes, path, what);
        return new MemoryStream(bytes, writable: false);
    }

    private static byte[] ReadBounded(string path, string what)
    {
        if (Directory.Exists(path))
        {
            throw new UsageException($"{what}: '{path}' is a directory, not a configuration file: name a .json file (e.g. {Path.Combine(path, "edge.json")}).");
        }

        if (!File.Exists(path))
        {
            throw new UsageException($"{what}: '{path}' does not exist.");
        }

        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.None);
            byte[] buffer = new byte[64 * 1024];
            using var memory = new MemoryStream();
            int n;
            while ((n = stream.Read(buffer, 0, buffer.Length)) > 0)
            {
                memory.Write(buffer, 0, n);
                if (memory.Length > MaxBytes)
                {
                    throw new UsageException(string.Create(CultureInfo.InvariantCulture,
                        $"{what}: '{path}' is larger than {MaxBytes / 1024} KiB (or endless, like a device): a configuration is a few kB — is it the right file?"));
                }
            }

            return memory.ToArray();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"{what}: cannot read '{path}': {e.Message}", e);
        }
    }

    private static void Check(byte[] bytes, string path, string what)
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

    private static string Shorten(JsonElement e)
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
    /// Binds section <paramref name="section"/> of <paramref name="config"/> onto <paramref name="target"/> (keys
    /// present override the target's current values). Unknown keys and unconvertible values are errors.
    /// </summary>
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
