namespace Edge.Runtime.Realtime;

/// <summary>The real-time setup report printed at start: one item per feature.</summary>
public sealed class RealtimeReport
{
    private readonly List<RealtimeItem> _items = [];

    /// <summary>Every item, in the order they were set up.</summary>
    public IReadOnlyList<RealtimeItem> Items => _items;

    /// <summary>True when any requested item failed.</summary>
    public bool AnyFailed => _items.Exists(i => i.Outcome == RealtimeOutcome.Failed);

    /// <summary>The item for <paramref name="feature"/>, or null.</summary>
    public RealtimeItem? Find(string feature) => _items.Find(i => i.Feature == feature);

    /// <summary>Adds an item.</summary>
    public void Add(RealtimeItem item) => _items.Add(item);

    /// <summary>Adds every item of <paramref name="other"/>.</summary>
    public void AddRange(RealtimeReport other) => _items.AddRange(other._items);

    /// <inheritdoc />
    public override string ToString() => string.Join(Environment.NewLine, _items);
}
