using System.Text.Json.Serialization;

namespace Edge.Agents.Contract;

/// <summary>
/// Compile-time (de)serialisation metadata of every agent-contract message, so the contract needs no reflection at run
/// time (a natively compiled <c>edge</c> has none to give). <see cref="AgentJson.Options"/> adds the strict rules; the
/// names are fixed here (snake_case), as the contract documents them.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AgentCapabilities))]
[JsonSerializable(typeof(AgentCommand))]
[JsonSerializable(typeof(AgentReply))]
[JsonSerializable(typeof(AgentStatus))]
[JsonSerializable(typeof(AgentTelemetry))]
[JsonSerializable(typeof(PhaseAnnouncement))]
internal sealed partial class AgentJsonContext : JsonSerializerContext;
