namespace Edge.Core.Levers;

/// <summary>What a lever is, for the coordinator.</summary>
public enum LeverKind
{
    /// <summary>A flexible load (a miner, a burn load): its level can be curtailed or raised, taking time to move.</summary>
    Flex,

    /// <summary>A GPU node's power cap: an upper limit on what the node draws, in force after a response latency.</summary>
    Gpu,
}
