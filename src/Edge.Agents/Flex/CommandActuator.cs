using System.Diagnostics;
using System.Globalization;

namespace Edge.Agents.Flex;

/// <summary>
/// Sets the level by running a configured command: the program and its arguments, split on white space (no shell),
/// with every <c>{level_pct}</c> replaced by the level (invariant culture, e.g. <c>65</c>). Exit code 0 within the
/// timeout is success; anything else (exit code, a timeout — the process is killed —, a program that cannot start)
/// is a failure named with the command's last stderr line.
/// </summary>
public sealed class CommandActuator : IFlexActuator
{
    private readonly string _program;
    private readonly string[] _arguments;
    private readonly TimeSpan _timeout;

    /// <summary>Creates the actuator from a command line template such as <c>/usr/local/bin/miner --level {level_pct}</c>.</summary>
    public CommandActuator(string commandLine, TimeSpan timeout)
    {
        string[] words = (commandLine ?? "").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0)
        {
            throw new ArgumentException("The level command is empty.", nameof(commandLine));
        }

        if (!commandLine!.Contains("{level_pct}", StringComparison.Ordinal))
        {
            throw new ArgumentException("The level command must contain {level_pct} (where the level goes).", nameof(commandLine));
        }

        _program = words[0];
        _arguments = words[1..];
        _timeout = timeout;
    }

    /// <summary>Commands run so far.</summary>
    public long Runs { get; private set; }

    /// <inheritdoc />
    public string Describe() => $"command {_program} {string.Join(' ', _arguments)}";

    /// <inheritdoc />
    public string? SetLevel(double levelPct)
    {
        string level = levelPct.ToString("0.###", CultureInfo.InvariantCulture);
        var start = new ProcessStartInfo(_program) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string a in _arguments)
        {
            start.ArgumentList.Add(a.Replace("{level_pct}", level, StringComparison.Ordinal));
        }

        Runs++;
        try
        {
            using Process p = Process.Start(start) ?? throw new InvalidOperationException("no process");
            Task<string> stderr = p.StandardError.ReadToEndAsync();
            _ = p.StandardOutput.ReadToEndAsync();
            if (!p.WaitForExit(_timeout))
            {
                p.Kill(entireProcessTree: true);
                return $"level command did not finish within {_timeout.TotalSeconds:0.#} s (killed)";
            }

            if (p.ExitCode != 0)
            {
                string last = stderr.Wait(TimeSpan.FromSeconds(1)) ? stderr.Result.Trim().Split('\n')[^1] : "";
                return $"level command exited {p.ExitCode}" + (last.Length > 0 ? $": {last}" : "");
            }

            return null;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
        {
            return $"level command {_program} cannot run: {e.Message}";
        }
    }
}
