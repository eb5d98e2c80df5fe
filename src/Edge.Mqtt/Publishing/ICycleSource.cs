namespace Edge.Mqtt.Publishing;

/// <summary>
/// The publisher's side of the loop's hand-off ring (docs/DESIGN.md §3, step 5). The runtime's SPSC ring satisfies it through a
/// one-line adapter; <see cref="TryDequeue"/> is called from the publisher thread only and must never block.
/// </summary>
public interface ICycleSource
{
    /// <summary>Takes the oldest record, if any.</summary>
    bool TryDequeue(out CycleRecord record);
}
