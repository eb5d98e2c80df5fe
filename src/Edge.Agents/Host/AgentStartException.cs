namespace Edge.Agents.Host;

/// <summary>The agent cannot start: the hardware refused something it needs (the message says what and why).</summary>
public sealed class AgentStartException(string message) : Exception(message);
