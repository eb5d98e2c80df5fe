namespace Edge.Agents.Contract;

/// <summary>A message of the agent contract: after the schema (types, required and unknown fields) its values are checked.</summary>
public interface IAgentMessage
{
    /// <summary>Adds every out-of-range or inconsistent value to <paramref name="check"/>, with its JSON path.</summary>
    void Validate(MessageCheck check);
}
