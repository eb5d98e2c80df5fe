using System.Text;
using Edge.Mqtt.Client;
using Edge.Tests.Shared;

namespace Edge.Mqtt.Tests.Client;

/// <summary>
/// The password file is read through <c>InputFile</c>: a FIFO (which would block the session for ever) or a device
/// is refused without being opened, and only a small file is read whole.
/// </summary>
public sealed class MqttCredentialsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("edge-credentials-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void The_first_line_of_a_password_file_is_the_password()
    {
        string path = Path.Combine(_dir, "pw");
        File.WriteAllBytes(path, [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes("sécret\r\n")]);
        byte[]? password = new MqttCredentials { Username = "u", PasswordFile = path }.ReadPassword();
        Assert.Equal("sécret", Encoding.UTF8.GetString(password!));
    }

    [Fact]
    public void A_fifo_as_the_password_file_is_refused_without_blocking()
    {
        string fifo = SpecialFiles.Fifo(_dir, "pw");
        var read = Task.Run(() => new MqttCredentials { Username = "u", PasswordFile = fifo }.ReadPassword());
        Assert.Same(read, Task.WhenAny(read, Task.Delay(TimeSpan.FromSeconds(30))).GetAwaiter().GetResult()); // else it blocked on the FIFO
        var e = Assert.Throws<InvalidOperationException>(() => read.GetAwaiter().GetResult());
        Assert.Equal($"Cannot read the MQTT password file '{fifo}': it is a named pipe (FIFO), not a regular file: Edge reads its inputs only from regular files (opening a pipe waits for a writer).", e.Message);
    }

    [Fact]
    public void A_password_file_larger_than_the_bound_is_refused()
    {
        string path = Path.Combine(_dir, "big");
        File.WriteAllText(path, new string('x', MqttCredentials.MaxPasswordFileBytes + 1));
        var e = Assert.Throws<InvalidOperationException>(() => new MqttCredentials { Username = "u", PasswordFile = path }.ReadPassword());
        Assert.Contains($"is larger than {MqttCredentials.MaxPasswordFileBytes} bytes", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_password_file_is_named()
    {
        string path = Path.Combine(_dir, "none");
        var e = Assert.Throws<InvalidOperationException>(() => new MqttCredentials { Username = "u", PasswordFile = path }.ReadPassword());
        Assert.Equal($"Cannot read the MQTT password file '{path}': it does not exist.", e.Message);
    }
}
