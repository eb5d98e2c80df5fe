using Edge.Agents.Contract;

namespace Edge.Agents.Registry;

/// <summary>
/// One agent as published in state (a copy taken by <see cref="AgentRegistry.Snapshot"/> or
/// <see cref="AgentRegistry.CopyTo"/>). A value: copying it into a pre-sized array allocates nothing; its strings are
/// the registry's own.
/// </summary>
public readonly record struct AgentView(
    string Id, AgentKind? Kind, bool Online, bool Active, string? DroppedBecause, double? PowerW, double? CapW, double? LevelPct,
    AgentState? State, double? MinW, double? MaxW, long TelemetryGaps, long Refused, string? LastError, double? DemandW = null);
