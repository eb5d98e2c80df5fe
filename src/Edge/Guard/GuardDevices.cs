using System.Text.Json;
using System.Text.Json.Serialization;
using Edge.Runtime.Files;

namespace Edge.Guard;

/// <summary>One inverter the guard may have to take over: its SunSpec Modbus TCP endpoint.</summary>
/// <param name="Id">The inverter's id (its slot on the board).</param>
/// <param name="Host">Host or address.</param>
/// <param name="Port">TCP port.</param>
/// <param name="UnitId">Modbus unit id.</param>
/// <param name="RatedPowerW">Rated power, W (the guard clamps to it).</param>
/// <param name="InvertSign">True when the device's sign convention is the opposite of Edge's.</param>
internal sealed record GuardDevice(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("host")] string Host,
    [property: JsonPropertyName("port")] int Port,
    [property: JsonPropertyName("unitId")] byte UnitId,
    [property: JsonPropertyName("ratedPowerW")] double RatedPowerW,
    [property: JsonPropertyName("invertSign")] bool InvertSign);

/// <summary>
/// <c>{Edge:StateDirectory}/guard-devices.json</c>: the daemon writes the inverters it drives at every start (atomically),
/// the guard reads it whenever it changes. Strict: an unknown or missing field is an error.
/// </summary>
internal static class GuardDevices
{
    /// <summary>The file's name inside the state directory.</summary>
    public const string FileName = "guard-devices.json";

    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectRequiredConstructorParameters = true,
        TypeInfoResolver = Edge.Daemon.DaemonJsonContext.Default,
    };

    /// <summary>Writes the list atomically.</summary>
    public static void Save(string path, IReadOnlyList<GuardDevice> devices)
    {
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(devices, (System.Text.Json.Serialization.Metadata.JsonTypeInfo<IReadOnlyList<GuardDevice>>)Options.GetTypeInfo(typeof(IReadOnlyList<GuardDevice>)));
        OutputFile.ReplaceAtomically(OutputFile.ResolveStore(path), s => s.Write(json));
    }

    /// <summary>Reads the list; throws <see cref="InvalidDataException"/> naming the problem.</summary>
    public static IReadOnlyList<GuardDevice> Load(string path)
    {
        try
        {
            List<GuardDevice> list = JsonSerializer.Deserialize(File.ReadAllText(path), (System.Text.Json.Serialization.Metadata.JsonTypeInfo<List<GuardDevice>>)Options.GetTypeInfo(typeof(List<GuardDevice>)))
                ?? throw new InvalidDataException($"{path}: null");
            foreach (GuardDevice d in list)
            {
                if (string.IsNullOrEmpty(d.Id) || string.IsNullOrEmpty(d.Host) || d.Port is < 1 or > 65535 || !(d.RatedPowerW > 0))
                {
                    throw new InvalidDataException($"{path}: bad device {d}");
                }
            }

            return list;
        }
        catch (JsonException e)
        {
            // Where, not .NET's type names: the file is the daemon's, rewritten at its next start.
            string at = e.LineNumber is { } line ? $"{e.Path ?? "$"}, line {line + 1}" : e.Path ?? "$";
            throw new InvalidDataException($"{path}: not the device list edge run writes ({at}); it is rewritten at the daemon's next start", e);
        }
    }
}
