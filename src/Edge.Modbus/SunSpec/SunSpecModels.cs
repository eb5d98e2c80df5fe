using System.Collections.Concurrent;

namespace Edge.Modbus.SunSpec;

/// <summary>
/// The SunSpec model definitions embedded in this assembly (copies of the published JSON, Apache-2.0; see
/// <c>SunSpec/Models/README.md</c>), parsed once on first use.
/// </summary>
public static class SunSpecModels
{
    /// <summary>Id of the common model.</summary>
    public const int Common = 1;
    /// <summary>Id of the legacy basic storage controls model.</summary>
    public const int Storage = 124;
    /// <summary>Id of the DER AC measurement model.</summary>
    public const int DerMeasureAc = 701;
    /// <summary>Id of the DER AC controls model.</summary>
    public const int DerControlAc = 704;
    /// <summary>Id of the DER storage capacity model.</summary>
    public const int DerStorageCapacity = 713;
    /// <summary>Id of the battery base model.</summary>
    public const int Battery = 802;

    /// <summary>The model id that ends the chain.</summary>
    public const ushort EndMarker = 0xFFFF;

    /// <summary>"SunS" as two registers.</summary>
    public const ushort Marker0 = 0x5375, Marker1 = 0x6E53;

    private static readonly ConcurrentDictionary<int, SunSpecModelDefinition> Cache = new();

    /// <summary>Ids of the embedded models.</summary>
    public static IReadOnlyList<int> Embedded { get; } = [Common, Storage, DerMeasureAc, DerControlAc, DerStorageCapacity, Battery];

    /// <summary>The definition of model <paramref name="id"/>; throws when it is not embedded.</summary>
    public static SunSpecModelDefinition Get(int id) =>
        TryGet(id, out SunSpecModelDefinition? d) ? d : throw new KeyNotFoundException($"SunSpec model {id} is not embedded in Edge.Modbus.");

    /// <summary>Looks up an embedded definition.</summary>
    public static bool TryGet(int id, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out SunSpecModelDefinition? definition)
    {
        if (Cache.TryGetValue(id, out definition))
        {
            return true;
        }

        byte[]? json = ReadResource(id);
        if (json is null)
        {
            return false;
        }

        definition = Cache.GetOrAdd(id, _ => SunSpecModelDefinition.Parse(json));
        return true;
    }

    /// <summary>The raw embedded JSON of model <paramref name="id"/>, or null.</summary>
    public static byte[]? ReadResource(int id)
    {
        using Stream? s = typeof(SunSpecModels).Assembly.GetManifestResourceStream($"Edge.Modbus.SunSpec.model_{id}.json");
        if (s is null)
        {
            return null;
        }

        using var ms = new MemoryStream();
        s.CopyTo(ms);
        return ms.ToArray();
    }
}
