// One Sparkplug device under Edge's node: a rack sensor or a battery inverter (DBIRTH/DDATA/DDEATH). Holds the
// device's newest values (taken from each detail snapshot on the publisher thread) and what was last published, so a
// DDATA carries only the metrics that changed (report by exception, Sparkplug 3.0 §topics-ddata-payload). The DDATA
// payload and its metric objects are allocated once and reused; births (rare) build a payload of their own.
//
// Alive = the device answers (Sparkplug's DDEATH: "no response, CRC error, …"). A sensor is dead while stale, on a
// bus error, stuck at one raw value (no live sample) or missing; an inverter while stale, offline or missing. A device
// that answers but reports a problem (an inverter in fault, not enabled, lease lost, misconfigured; a sensor out of
// range or NaN) stays alive and says so in its Health metric; values Edge does not trust are published as null.

using Edge.Core.Devices;
using Edge.Mqtt.Publishing;
using Edge.Mqtt.Sparkplug.Protobuf;

namespace Edge.Mqtt.Sparkplug;

/// <summary>A rack sensor or battery inverter published as a Sparkplug device of Edge's edge node.</summary>
internal sealed class SparkplugDevice
{
    /// <summary>Metric names of an inverter device, in alias order.</summary>
    public static readonly string[] InverterMetricNames = ["Power W", "Setpoint W", "SoC %", "Health"];

    /// <summary>Metric names of a sensor device, in alias order.</summary>
    public static readonly string[] SensorMetricNames = ["Power W", "Health"];

    private readonly string[] _names;
    private readonly ulong _aliasBase;
    private readonly double[] _values;
    private readonly double[] _sent;
    private readonly Payload _data = new();
    private readonly Payload.Types.Metric[] _dataMetrics;
    private readonly Payload _death = new();
    private string _health = "missing";
    private string? _sentHealth;

    /// <summary>Creates the device; <paramref name="aliasBase"/> + metric index are its aliases (unique within the node).</summary>
    public SparkplugDevice(string groupId, string edgeNodeId, string id, bool isInverter, ulong aliasBase)
    {
        Id = id;
        IsInverter = isInverter;
        _names = isInverter ? InverterMetricNames : SensorMetricNames;
        _aliasBase = aliasBase;
        string tail = "/" + edgeNodeId + "/" + id;
        BirthTopic = "spBv1.0/" + groupId + "/DBIRTH" + tail;
        DataTopic = "spBv1.0/" + groupId + "/DDATA" + tail;
        DeathTopic = "spBv1.0/" + groupId + "/DDEATH" + tail;
        _values = new double[_names.Length - 1];
        _sent = new double[_names.Length - 1];
        _dataMetrics = new Payload.Types.Metric[_names.Length];
        for (int i = 0; i < _names.Length; i++)
        {
            _dataMetrics[i] = new Payload.Types.Metric { Alias = aliasBase + (ulong)i, Datatype = (uint)TypeOf(i) };
        }
    }

    /// <summary>Device id (the last topic level).</summary>
    public string Id { get; }

    /// <summary>True for an inverter, false for a sensor.</summary>
    public bool IsInverter { get; }

    /// <summary>DBIRTH topic.</summary>
    public string BirthTopic { get; }

    /// <summary>DDATA topic.</summary>
    public string DataTopic { get; }

    /// <summary>DDEATH topic.</summary>
    public string DeathTopic { get; }

    /// <summary>True once a snapshot described the device.</summary>
    public bool Known { get; private set; }

    /// <summary>True while the device answers (see the file header).</summary>
    public bool Alive { get; private set; }

    /// <summary>True while a DBIRTH of the current node session stands (no DDEATH since).</summary>
    public bool Born { get; set; }

    /// <summary>Takes a sensor's reading from the snapshot.</summary>
    public void Update(in PowerReading r)
    {
        Known = true;
        Alive = r.Health is not (SensorHealth.Stale or SensorHealth.BusError or SensorHealth.StuckAt or SensorHealth.Missing);
        _values[0] = r.IsUsable ? r.PowerW : double.NaN;
        _health = HealthNames.Of(r.Health);
    }

    /// <summary>Takes an inverter's state from the snapshot.</summary>
    public void Update(in InverterState s)
    {
        Known = true;
        Alive = s.Health is not (InverterHealth.Stale or InverterHealth.Offline or InverterHealth.Missing);
        bool trusted = s.Health != InverterHealth.Misconfigured;
        _values[0] = trusted ? s.MeasuredPowerW : double.NaN;
        _values[1] = s.LastSetpointW;
        _values[2] = trusted ? s.SocPct : double.NaN;
        _health = HealthNames.Of(s.Health);
    }

    /// <summary>A DBIRTH payload with every metric (name, alias, datatype, current value); marks all as published.</summary>
    public Payload BirthPayload(ulong unixMs, ulong seq)
    {
        var p = new Payload { Timestamp = unixMs, Seq = seq };
        for (int i = 0; i < _names.Length; i++)
        {
            var m = new Payload.Types.Metric { Name = _names[i], Alias = _aliasBase + (ulong)i, Datatype = (uint)TypeOf(i) };
            Set(m, i, unixMs);
            p.Metrics.Add(m);
        }

        _values.AsSpan().CopyTo(_sent);
        _sentHealth = _health;
        return p;
    }

    /// <summary>
    /// True when a metric changed since the last DBIRTH/DDATA; then <see cref="DataPayload"/> builds the DDATA.
    /// </summary>
    public bool HasChanges()
    {
        if (!ReferenceEquals(_health, _sentHealth))
        {
            return true;
        }

        for (int i = 0; i < _values.Length; i++)
        {
            if (!Same(_values[i], _sent[i]))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The DDATA payload (reused) with the changed metrics only, by alias; marks them as published.</summary>
    public Payload DataPayload(ulong unixMs, ulong seq)
    {
        _data.Timestamp = unixMs;
        _data.Seq = seq;
        _data.Metrics.Clear();
        for (int i = 0; i < _values.Length; i++)
        {
            if (!Same(_values[i], _sent[i]))
            {
                Set(_dataMetrics[i], i, unixMs);
                _data.Metrics.Add(_dataMetrics[i]);
                _sent[i] = _values[i];
            }
        }

        if (!ReferenceEquals(_health, _sentHealth))
        {
            int h = _names.Length - 1;
            Set(_dataMetrics[h], h, unixMs);
            _data.Metrics.Add(_dataMetrics[h]);
            _sentHealth = _health;
        }

        return _data;
    }

    /// <summary>The DDEATH payload (reused): timestamp and seq, no metrics.</summary>
    public Payload DeathPayload(ulong unixMs, ulong seq)
    {
        _death.Timestamp = unixMs;
        _death.Seq = seq;
        return _death;
    }

    private SparkplugDataType TypeOf(int index) => index == _names.Length - 1 ? SparkplugDataType.String : SparkplugDataType.Double;

    private void Set(Payload.Types.Metric m, int index, ulong unixMs)
    {
        m.Timestamp = unixMs;
        if (index == _names.Length - 1)
        {
            m.StringValue = _health;
            return;
        }

        double v = _values[index];
        if (double.IsFinite(v))
        {
            m.DoubleValue = v;
            m.ClearIsNull();
        }
        else
        {
            m.ClearValue();
            m.IsNull = true;
        }
    }

    private static bool Same(double a, double b) => a.Equals(b); // NaN equals NaN here: null stays null
}
