using System.Text.Json;

namespace Edge.Mqtt.Publishing;

/// <summary>
/// Writes more members into the state message (after the loop's own), on the publisher thread. Implementations write
/// from values other threads handed over (mailboxes, copies), never from live state of the loop.
/// </summary>
public interface IStateExtension
{
    /// <summary>Writes its members into the open state object.</summary>
    void WriteState(Utf8JsonWriter json);
}
