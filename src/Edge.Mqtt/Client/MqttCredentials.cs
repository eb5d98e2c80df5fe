using System.Text;
using Edge.Runtime.Files;

namespace Edge.Mqtt.Client;

/// <summary>
/// User name and where the password comes from: a file (first line, trailing newline removed) or an environment
/// variable — never the configuration file itself. The password is read at each connection attempt (so a rotated
/// secret is picked up) and is never logged or shown by <see cref="ToString"/>.
/// </summary>
public sealed class MqttCredentials
{
    /// <summary>User name (required by MQTT 3.1.1 whenever a password is sent).</summary>
    public string? Username { get; set; }

    /// <summary>Largest password file read, bytes (a password is a line; anything longer is the wrong file).</summary>
    public const int MaxPasswordFileBytes = 4096;

    /// <summary>Path of a file holding the password (a regular file of at most <see cref="MaxPasswordFileBytes"/>).</summary>
    public string? PasswordFile { get; set; }

    /// <summary>Name of an environment variable holding the password.</summary>
    public string? PasswordEnvironmentVariable { get; set; }

    /// <summary>
    /// Reads the password bytes (UTF-8). Returns null when no source is configured. Throws
    /// <see cref="InvalidOperationException"/> naming the source (never the secret) when it cannot be read.
    /// </summary>
    public byte[]? ReadPassword()
    {
        if (!string.IsNullOrEmpty(PasswordFile))
        {
            // Checked at each read, not only at start: a FIFO put in its place later must not block the session for ever.
            if (InputFile.Problem(PasswordFile) is { } problem)
            {
                throw new InvalidOperationException($"Cannot read the MQTT password file '{PasswordFile}': it {problem}.");
            }

            byte[] bytes;
            try
            {
                if (!InputFile.TryReadBounded(PasswordFile, MaxPasswordFileBytes, out bytes))
                {
                    throw new InvalidOperationException($"Cannot read the MQTT password file '{PasswordFile}': it is larger than {MaxPasswordFileBytes} bytes (a password file holds one line).");
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new InvalidOperationException($"Cannot read the MQTT password file '{PasswordFile}': {e.Message}", e);
            }

            // Decoded as File.ReadAllText did (UTF-8, a byte-order mark dropped), then the line end removed.
            using var reader = new StreamReader(new MemoryStream(bytes), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            string text = reader.ReadToEnd();
            return Encoding.UTF8.GetBytes(text.TrimEnd('\r', '\n'));
        }

        if (!string.IsNullOrEmpty(PasswordEnvironmentVariable))
        {
            string? value = Environment.GetEnvironmentVariable(PasswordEnvironmentVariable);
            return value is null
                ? throw new InvalidOperationException($"The MQTT password environment variable '{PasswordEnvironmentVariable}' is not set.")
                : Encoding.UTF8.GetBytes(value);
        }

        return null;
    }

    /// <summary>Describes the credentials without the secret.</summary>
    public override string ToString() =>
        $"user {(Username is null ? "(none)" : "set")}, password {(PasswordFile is not null ? "from file" : PasswordEnvironmentVariable is not null ? "from environment" : "(none)")}";
}
