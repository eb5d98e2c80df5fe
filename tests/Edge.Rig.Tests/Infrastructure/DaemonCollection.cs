namespace Edge.Rig.Tests.Infrastructure;

/// <summary>
/// Every test that runs a daemon (in-process or as a child) or touches process-wide state (NOTIFY_SOCKET, EDGE_
/// variables) belongs here: one at a time, never beside another collection.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DaemonCollection
{
    public const string Name = "daemon";
}
