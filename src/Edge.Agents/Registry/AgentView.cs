using Edge.Agents.Contract;

namespace Edge.Agents.Registry;

/// <summary>One agent as published in state (a copy taken by <see cref="AgentRegistry.Snapshot"/>).</summary>
public sealed record AgentView(
    string Id, AgentKind? Kind, bool Online, bool Active, string? DroppedBecause, double? PowerW, double? CapW, double? LevelPct,
    AgentState? State, double? MinW, double? MaxW, long TelemetryGaps, long Refused, string? LastError);
