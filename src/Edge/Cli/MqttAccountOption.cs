using Edge.Configuration;
using Edge.Mqtt.Client;

namespace Edge.Cli;

/// <summary>
/// A broker account given on the command line as a user option and a password-file option (<c>--username</c> /
/// <c>--password-file</c>, <c>--user</c> / <c>--password-file</c>, …): both or neither, the file readable — refused
/// before any connection is tried, with a <see cref="UsageException"/> (exit 2) naming the options.
/// </summary>
internal static class MqttAccountOption
{
    /// <summary>The account, or null when neither option is given.</summary>
    public static MqttCredentials? Read(CommandArgs args, string userOption, string passwordFileOption)
    {
        ArgumentNullException.ThrowIfNull(args);
        string? user = args.String(userOption);
        string? passwordFile = args.String(passwordFileOption);
        if (user is null && passwordFile is null)
        {
            return null;
        }

        if (user is null || passwordFile is null)
        {
            throw new UsageException($"give --{userOption} and --{passwordFileOption} together.");
        }

        if (WritablePath.ReadProblem(passwordFile) is { } problem)
        {
            throw new UsageException($"--{passwordFileOption} {passwordFile}: {problem}");
        }

        return new MqttCredentials { Username = user, PasswordFile = passwordFile };
    }
}
