namespace Edge.Rig.Tests.Infrastructure;

/// <summary>Sets a process-wide environment variable for a scope and restores it (tests in <see cref="DaemonCollection"/> only).</summary>
internal sealed class EnvironmentVariable : IDisposable
{
    private readonly string _name;
    private readonly string? _previous;

    public EnvironmentVariable(string name, string? value)
    {
        _name = name;
        _previous = Environment.GetEnvironmentVariable(name);
        Environment.SetEnvironmentVariable(name, value);
    }

    public void Dispose() => Environment.SetEnvironmentVariable(_name, _previous);
}
