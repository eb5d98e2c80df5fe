using Edge.Cli;
using Microsoft.Extensions.Configuration;

namespace Edge.Configuration;

/// <summary>
/// Loads a JSON configuration file and binds sections strictly: a key the options class does not have, a value of
/// the wrong type, or malformed JSON is a <see cref="UsageException"/> naming the file and the option's path.
/// </summary>
public static class ConfigFile
{
    /// <summary>Loads <paramref name="path"/> (JSON).</summary>
    public static IConfiguration Load(string path)
    {
        string full = Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new UsageException($"config file '{path}' does not exist.");
        }

        try
        {
            return new ConfigurationBuilder().AddJsonFile(full, optional: false, reloadOnChange: false).Build();
        }
        catch (Exception e) when (e is FormatException or InvalidDataException or System.Text.Json.JsonException)
        {
            throw new UsageException($"config file '{path}' is not valid JSON: {e.Message}", e);
        }
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
