using Edge.Core;
using Edge.Modbus.Client;

namespace Edge.Modbus.Meters;

/// <summary>Settings of one Modbus power meter (rack PDU or site meter); units in the names.</summary>
public sealed class ModbusMeterOptions
{
    /// <summary>Stable identifier (configuration, topics, logs).</summary>
    public string Id { get; set; } = "meter";

    /// <summary>The Modbus TCP link.</summary>
    public ModbusClientOptions Modbus { get; set; } = new();

    /// <summary>Modbus unit id of the meter.</summary>
    public byte UnitId { get; set; } = 1;

    /// <summary>Period of reads, ms.</summary>
    public int PollPeriodMs { get; set; } = 100;

    /// <summary>A reading older than this is reported <c>Stale</c>, ms.</summary>
    public int StaleAfterMs { get; set; } = 1000;

    /// <summary>Flip the power sign (a meter mounted or wired the other way round).</summary>
    public bool InvertSign { get; set; }

    /// <summary>Readings whose magnitude exceeds this are reported <c>OutOfRange</c>, W.</summary>
    public double MaxPlausibleW { get; set; } = 1e9;

    /// <summary>Checks every option; returns the errors (empty when valid).</summary>
    public IReadOnlyList<OptionError> Validate(string section = "Meter")
    {
        var c = new OptionChecks(section);
        if (string.IsNullOrWhiteSpace(Id))
        {
            c.Fail(nameof(Id), "\"\"", "must be a non-empty name");
        }

        foreach (OptionError e in Modbus.Validate($"{section}:{nameof(Modbus)}"))
        {
            c.Fail(e.Path[(section.Length + 1)..], e.Value, e.Allowed);
        }

        c.Range(nameof(UnitId), UnitId, 0, 247, "");
        c.Range(nameof(PollPeriodMs), PollPeriodMs, 1, 60_000, "ms");
        c.Range(nameof(StaleAfterMs), StaleAfterMs, PollPeriodMs, 600_000, "ms");
        c.Above(nameof(MaxPlausibleW), MaxPlausibleW, 0, double.MaxValue, "W");
        return c.Errors;
    }

    /// <summary>Returns a deep copy.</summary>
    public ModbusMeterOptions Clone()
    {
        var copy = (ModbusMeterOptions)MemberwiseClone();
        copy.Modbus = Modbus.Clone();
        return copy;
    }
}
