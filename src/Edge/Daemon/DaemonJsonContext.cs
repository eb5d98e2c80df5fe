using System.Text.Json.Serialization;
using Edge.Guard;

namespace Edge.Daemon;

/// <summary>Compile-time (de)serialisation metadata of the files the daemon and the guard keep in the state directory
/// (<c>state.json</c>, <c>guard-devices.json</c>): no reflection at run time, so a natively compiled <c>edge</c>
/// reads and writes them too. Each file's options add their own rules.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)] // state.json's names; guard-devices.json names each field
[JsonSerializable(typeof(PersistedState))]
[JsonSerializable(typeof(List<GuardDevice>))]
[JsonSerializable(typeof(IReadOnlyList<GuardDevice>))]
internal sealed partial class DaemonJsonContext : JsonSerializerContext;
