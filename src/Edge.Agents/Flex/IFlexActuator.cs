namespace Edge.Agents.Flex;

/// <summary>What sets a flexible load's level: a configured command, a relay on a GPIO line (or a simulation).</summary>
public interface IFlexActuator
{
    /// <summary>Sets the level (0–100 % of rated). Returns null when done, else why it failed (the level is then unknown).</summary>
    string? SetLevel(double levelPct);

    /// <summary>Describes the actuator for the start line.</summary>
    string Describe();
}
