using System.Text.Json.Serialization;

namespace Edge.Devices.Rig;

/// <summary>Compile-time reading metadata of a rig file's records (no reflection at run time, so a natively compiled
/// <c>edge</c> reads rig files too); <see cref="RigLoader.SerializerOptions"/> adds the strict rules.</summary>
[JsonSerializable(typeof(RigFileJson))]
internal sealed partial class RigJsonContext : JsonSerializerContext;
