using Edge.Core.Devices;

namespace Edge.Agents.Flex;

/// <summary>
/// An on/off flexible load behind a relay on a digital output (a GPIO line through Edge's GPIO code): level &gt; 0 is
/// on, 0 is off. Its level step is therefore 100 %.
/// </summary>
public sealed class RelayActuator(IDigitalOutput output) : IFlexActuator
{
    /// <inheritdoc />
    public string Describe() => $"relay on GPIO line {output.Id}";

    /// <inheritdoc />
    public string? SetLevel(double levelPct) =>
        output.TryWrite(levelPct > 0) ? null : $"writing GPIO line {output.Id} failed";
}
