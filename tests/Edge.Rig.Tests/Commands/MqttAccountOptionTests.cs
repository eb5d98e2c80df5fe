using Edge.Cli;
using Edge.Rig.Tests.Infrastructure;
using Edge.Tests.Shared;

namespace Edge.Rig.Tests.Commands;

/// <summary>
/// Every command that connects to a broker on its own takes an account the same way (<see cref="MqttAccountOption"/>):
/// the user and the password file both or neither, the file readable, refused with exit 2 naming the options before
/// anything connects.
/// </summary>
public sealed class MqttAccountOptionTests : IDisposable
{
    private readonly TempDir _dir = new();

    public MqttAccountOptionTests() => _dir.Create();

    public void Dispose() => _dir.Dispose();

    public static TheoryData<string, string, string> Commands => new()
    {
        { "agent gpu --site s1 --agent g1 --port 9", "username", "password-file" },
        { "agent flex --site s1 --agent f1 --rated-w 100 --command x{level_pct} --port 9", "username", "password-file" },
        { "bench mqtt --host 127.0.0.1 --port 9 --count 10", "user", "password-file" },
        { "bench mqtt --host 127.0.0.1 --port 9 --count 10", "sub-user", "sub-password-file" },
    };

    [Theory]
    [MemberData(nameof(Commands))]
    public void A_user_without_its_password_file_is_refused_naming_both_options(string command, string user, string passwordFile)
    {
        (int exit, string error) = Run(command, $"--{user}", "someone");
        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains($"--{user} and --{passwordFile} together", error, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public void A_password_file_that_cannot_be_read_is_refused_naming_it(string command, string user, string passwordFile)
    {
        string missing = _dir["no-such.password"];
        (int exit, string error) = Run(command, $"--{user}", "someone", $"--{passwordFile}", missing);
        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains($"--{passwordFile} {missing}", error, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public void A_fifo_as_the_password_file_is_refused_without_blocking(string command, string user, string passwordFile)
    {
        Directory.CreateDirectory(_dir.Path);
        string fifo = SpecialFiles.Fifo(_dir.Path, $"pw-{Guid.NewGuid():N}");
        Task<(int Exit, string Error)> run = Task.Run(() => Run(command, $"--{user}", "someone", $"--{passwordFile}", fifo));
        Assert.Same(run, Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(30))).GetAwaiter().GetResult()); // else it blocked on the FIFO
        Assert.Equal(ExitCodes.Usage, run.Result.Exit);
        Assert.Contains($"--{passwordFile} {fifo}: is a named pipe (FIFO)", run.Result.Error, StringComparison.Ordinal);
    }

    private static (int Exit, string Error) Run(string command, params string[] more)
    {
        var stderr = new StringWriter();
        int exit = CommandRegistry.Run([.. command.Split(' '), .. more], new CommandContext(new StringWriter(), stderr, false, CancellationToken.None));
        return (exit, stderr.ToString());
    }
}
