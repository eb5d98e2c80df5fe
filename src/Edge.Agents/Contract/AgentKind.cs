namespace Edge.Agents.Contract;

/// <summary>What an agent controls.</summary>
public enum AgentKind
{
    /// <summary>A GPU node: power cap per GPU, smoothing profile where the hardware has one.</summary>
    Gpu,

    /// <summary>A flexible load (miner, burn load): on/off or a level.</summary>
    Flex,

    /// <summary>A training framework: announces phases, takes no command.</summary>
    Framework,
}
