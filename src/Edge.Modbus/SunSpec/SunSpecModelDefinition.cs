using System.Collections.Frozen;
using System.Text.Json;

namespace Edge.Modbus.SunSpec;

/// <summary>
/// The layout of one SunSpec model, derived at run time from the published model JSON (embedded in this assembly):
/// points in register order with offsets, sizes, types and scale-factor names. Models whose groups repeat (a
/// <c>count</c>) are not needed by Edge and are rejected.
/// </summary>
public sealed class SunSpecModelDefinition
{
    private readonly FrozenDictionary<string, SunSpecPoint> _byName;

    private SunSpecModelDefinition(int id, string name, IReadOnlyList<SunSpecPoint> points)
    {
        Id = id;
        Name = name;
        Points = points;
        _byName = points.ToFrozenDictionary(p => p.Name, StringComparer.Ordinal);
        SunSpecPoint last = points[^1];
        TotalRegisters = last.Offset + last.Size;
    }

    /// <summary>Model id (the value of its <c>ID</c> point).</summary>
    public int Id { get; }

    /// <summary>Model name ("common", "DERCtlAC", …).</summary>
    public string Name { get; }

    /// <summary>Points in register order, nested groups flattened.</summary>
    public IReadOnlyList<SunSpecPoint> Points { get; }

    /// <summary>Registers the model occupies including <c>ID</c> and <c>L</c>.</summary>
    public int TotalRegisters { get; }

    /// <summary>The value of the model's <c>L</c> point (registers after <c>L</c>).</summary>
    public int Length => TotalRegisters - 2;

    /// <summary>The point named <paramref name="name"/>; throws when the model has none.</summary>
    public SunSpecPoint this[string name] =>
        _byName.TryGetValue(name, out SunSpecPoint? p) ? p : throw new KeyNotFoundException($"SunSpec model {Id} ({Name}) has no point '{name}'.");

    /// <summary>Looks a point up by name.</summary>
    public bool TryGetPoint(string name, out SunSpecPoint point) => _byName.TryGetValue(name, out point!);

    /// <summary>Parses a model JSON document (the format of the sunspec/models repository).</summary>
    public static SunSpecModelDefinition Parse(ReadOnlySpan<byte> utf8Json)
    {
        var reader = new Utf8JsonReader(utf8Json);
        using JsonDocument doc = JsonDocument.ParseValue(ref reader);
        JsonElement root = doc.RootElement;
        int id = root.GetProperty("id").GetInt32();
        JsonElement group = root.GetProperty("group");
        var points = new List<SunSpecPoint>();
        int offset = 0;
        AddGroup(group, prefix: "", points, ref offset, top: true);
        return new SunSpecModelDefinition(id, group.GetProperty("name").GetString() ?? $"model{id}", points);
    }

    private static void AddGroup(JsonElement group, string prefix, List<SunSpecPoint> points, ref int offset, bool top)
    {
        if (!top && group.TryGetProperty("count", out JsonElement count) && !(count.ValueKind == JsonValueKind.Number && count.GetInt32() == 1))
        {
            throw new NotSupportedException($"Repeating SunSpec group '{group.GetProperty("name").GetString()}' is not supported.");
        }

        if (group.TryGetProperty("points", out JsonElement list))
        {
            foreach (JsonElement p in list.EnumerateArray())
            {
                string name = p.GetProperty("name").GetString()!;
                int size = p.GetProperty("size").GetInt32();
                SunSpecPointType type = SunSpecPoint.ParseType(p.GetProperty("type").GetString()!);
                string? sf = p.TryGetProperty("sf", out JsonElement s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
                string? units = p.TryGetProperty("units", out JsonElement u) ? u.GetString()?.Trim() : null;
                bool writable = p.TryGetProperty("access", out JsonElement a) && a.GetString() == "RW";
                bool mandatory = p.TryGetProperty("mandatory", out JsonElement m) && m.GetString() == "M";
                // Scale factors of the models Edge uses all live in the top-level group, so sf names are kept as written.
                points.Add(new SunSpecPoint(prefix + name, offset, size, type, sf, units, writable, mandatory));
                offset += size;
            }
        }

        if (group.TryGetProperty("groups", out JsonElement groups))
        {
            foreach (JsonElement g in groups.EnumerateArray())
            {
                AddGroup(g, prefix + g.GetProperty("name").GetString() + ".", points, ref offset, top: false);
            }
        }
    }
}
