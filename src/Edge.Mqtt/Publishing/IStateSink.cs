namespace Edge.Mqtt.Publishing;

/// <summary>Something else that wants each decimated state window (e.g. the Sparkplug B node). Called on the publisher thread; must not block.</summary>
public interface IStateSink
{
    /// <summary>A state window just closed.</summary>
    void OnState(StateWindow window, long unixMs);
}
