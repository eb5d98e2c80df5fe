using Edge.Modbus.Inverter;
using Edge.Modbus.Meters;
using Edge.Tests.Shared;

namespace Edge.Modbus.Tests;

/// <summary>Map files are hostile input: read through InputFile (never opened when not a regular file, bounded), errors name the file.</summary>
public sealed class MapFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("edge-maps-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    [Fact]
    public void A_fifo_is_refused_without_being_opened_naming_the_file()
    {
        string fifo = SpecialFiles.Fifo(_dir, "map.json");
        Task<FormatException> meter = Task.Run(() => Assert.Throws<FormatException>(() => ModbusMeterMap.LoadFile(fifo)));
        Task<FormatException> inverter = Task.Run(() => Assert.Throws<FormatException>(() => InverterMap.LoadFile(fifo)));
        Assert.True(Task.WaitAll([meter, inverter], TimeSpan.FromSeconds(10)), "LoadFile blocked on a FIFO");
        Assert.StartsWith($"meter map file '{fifo}' is a named pipe (FIFO)", meter.Result.Message, StringComparison.Ordinal);
        Assert.StartsWith($"inverter map file '{fifo}' is a named pipe (FIFO)", inverter.Result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_device_a_directory_and_a_missing_file_are_refused_naming_the_file()
    {
        Assert.Contains("'/dev/zero' is a device", Assert.Throws<FormatException>(() => ModbusMeterMap.LoadFile("/dev/zero")).Message, StringComparison.Ordinal);
        Assert.Contains("is a directory", Assert.Throws<FormatException>(() => InverterMap.LoadFile(_dir)).Message, StringComparison.Ordinal);
        string missing = Path.Combine(_dir, "nope.json");
        Assert.Contains($"'{missing}' does not exist", Assert.Throws<FormatException>(() => ModbusMeterMap.LoadFile(missing)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_larger_than_the_bound_is_refused()
    {
        string big = Path.Combine(_dir, "big.json");
        File.WriteAllText(big, "{ \"name\": \"" + new string('x', 2 * 1024 * 1024) + "\" }");
        FormatException e = Assert.Throws<FormatException>(() => ModbusMeterMap.LoadFile(big));
        Assert.Contains("is larger than 1 MiB", e.Message, StringComparison.Ordinal);
    }
}
