namespace Edge.Mqtt.Commands;

/// <summary>What became of a command handed to the loop: null error = applied.</summary>
/// <param name="Command">The command.</param>
/// <param name="Error">Why it was not applied, or null.</param>
public readonly record struct CommandOutcome(EdgeCommand Command, string? Error);
