using System.Buffers;
using System.Text.Json;
using Edge.Core.Control;
using Edge.Core.Devices;

namespace Edge.Mqtt.Publishing;

/// <summary>
/// Writes the JSON payloads of docs/DESIGN.md §7 with a <see cref="Utf8JsonWriter"/> over one reused buffer: property names are
/// pre-encoded, numbers are formatted in place, so a payload costs no allocation in steady state. Each method returns a
/// view of the buffer valid until the next call. Not thread-safe: one instance per thread. Non-finite numbers are
/// written as null (JSON has no NaN); power is rounded to 0.1 W, percentages to 0.01 %.
/// </summary>
public sealed class EdgeJson : IDisposable
{
    private static readonly JsonEncodedText Ts = JsonEncodedText.Encode("ts");
    private static readonly JsonEncodedText Seq = JsonEncodedText.Encode("seq");
    private static readonly JsonEncodedText LoadW = JsonEncodedText.Encode("load_w");
    private static readonly JsonEncodedText GridW = JsonEncodedText.Encode("grid_w");
    private static readonly JsonEncodedText BatteryW = JsonEncodedText.Encode("battery_w");
    private static readonly JsonEncodedText Mean = JsonEncodedText.Encode("mean");
    private static readonly JsonEncodedText Min = JsonEncodedText.Encode("min");
    private static readonly JsonEncodedText Max = JsonEncodedText.Encode("max");
    private static readonly JsonEncodedText GridTargetW = JsonEncodedText.Encode("grid_target_w");
    private static readonly JsonEncodedText BatterySetpointW = JsonEncodedText.Encode("battery_setpoint_w");
    private static readonly JsonEncodedText SocPct = JsonEncodedText.Encode("soc_pct");
    private static readonly JsonEncodedText Mode = JsonEncodedText.Encode("mode");
    private static readonly JsonEncodedText Flags = JsonEncodedText.Encode("flags");
    private static readonly JsonEncodedText FlagNames = JsonEncodedText.Encode("flag_names");
    private static readonly JsonEncodedText Loop = JsonEncodedText.Encode("loop");
    private static readonly JsonEncodedText Cycles = JsonEncodedText.Encode("cycles");
    private static readonly JsonEncodedText LatenessUs = JsonEncodedText.Encode("lateness_us");
    private static readonly JsonEncodedText ComputeUs = JsonEncodedText.Encode("compute_us");
    private static readonly JsonEncodedText Overruns = JsonEncodedText.Encode("overruns");
    private static readonly JsonEncodedText Dropped = JsonEncodedText.Encode("dropped");
    private static readonly JsonEncodedText Ring = JsonEncodedText.Encode("handoff");
    private static readonly JsonEncodedText OutboxName = JsonEncodedText.Encode("outbox");
    private static readonly JsonEncodedText Id = JsonEncodedText.Encode("id");
    private static readonly JsonEncodedText PowerW = JsonEncodedText.Encode("power_w");
    private static readonly JsonEncodedText VoltageV = JsonEncodedText.Encode("voltage_v");
    private static readonly JsonEncodedText CurrentA = JsonEncodedText.Encode("current_a");
    private static readonly JsonEncodedText AgeMs = JsonEncodedText.Encode("age_ms");
    private static readonly JsonEncodedText Health = JsonEncodedText.Encode("health");
    private static readonly JsonEncodedText SetpointW = JsonEncodedText.Encode("setpoint_w");
    private static readonly JsonEncodedText AllowedChargeW = JsonEncodedText.Encode("allowed_charge_w");
    private static readonly JsonEncodedText AllowedDischargeW = JsonEncodedText.Encode("allowed_discharge_w");
    private static readonly JsonEncodedText CapacityWh = JsonEncodedText.Encode("capacity_wh");
    private static readonly JsonEncodedText Source = JsonEncodedText.Encode("source");
    private static readonly JsonEncodedText Event = JsonEncodedText.Encode("event");
    private static readonly JsonEncodedText Severity = JsonEncodedText.Encode("severity");
    private static readonly JsonEncodedText Active = JsonEncodedText.Encode("active");
    private static readonly JsonEncodedText Acked = JsonEncodedText.Encode("acked");
    private static readonly JsonEncodedText Raised = JsonEncodedText.Encode("raised");
    private static readonly JsonEncodedText Detail = JsonEncodedText.Encode("detail");
    private static readonly JsonEncodedText Ok = JsonEncodedText.Encode("ok");
    private static readonly JsonEncodedText Error = JsonEncodedText.Encode("error");
    private static readonly JsonEncodedText State = JsonEncodedText.Encode("state");
    private static readonly JsonEncodedText Site = JsonEncodedText.Encode("site");
    private static readonly JsonEncodedText Node = JsonEncodedText.Encode("node");
    private static readonly JsonEncodedText Version = JsonEncodedText.Encode("version");
    private static readonly JsonEncodedText Started = JsonEncodedText.Encode("started");

    private static readonly JsonEncodedText[] ModeNames =
        [JsonEncodedText.Encode("auto"), JsonEncodedText.Encode("hold"), JsonEncodedText.Encode("standby"), JsonEncodedText.Encode("fault")];

    private static readonly JsonEncodedText[] FlagBitNames =
    [
        JsonEncodedText.Encode("ramp_limited_up"), JsonEncodedText.Encode("ramp_limited_down"), JsonEncodedText.Encode("at_grid_cap"),
        JsonEncodedText.Encode("at_grid_floor"), JsonEncodedText.Encode("saturated_charge"), JsonEncodedText.Encode("saturated_discharge"),
        JsonEncodedText.Encode("soc_low"), JsonEncodedText.Encode("soc_high"), JsonEncodedText.Encode("headroom_short"),
        JsonEncodedText.Encode("trim_active"), JsonEncodedText.Encode("grid_meter_stale"), JsonEncodedText.Encode("load_degraded"),
        JsonEncodedText.Encode("load_missing"), JsonEncodedText.Encode("battery_unavailable"), JsonEncodedText.Encode("emergency_stop"),
        JsonEncodedText.Encode("limit_ramping"), JsonEncodedText.Encode("plan_tracked"),
    ];

    private static readonly JsonEncodedText[] SensorHealthNames = HealthNames.SensorNames.Select(n => JsonEncodedText.Encode(n)).ToArray();

    private static readonly JsonEncodedText[] InverterHealthNames = HealthNames.InverterNames.Select(n => JsonEncodedText.Encode(n)).ToArray();

    private static readonly JsonEncodedText[] EventNames = [JsonEncodedText.Encode("raise"), JsonEncodedText.Encode("clear"), JsonEncodedText.Encode("ack")];
    private static readonly JsonEncodedText[] SeverityNames = [JsonEncodedText.Encode("warning"), JsonEncodedText.Encode("critical")];
    private static readonly JsonEncodedText Unknown = JsonEncodedText.Encode("unknown");

    /// <summary>Decimal places of a power (W) in every payload: 0.1 W (docs/DESIGN.md §7).</summary>
    public const int PowerDigits = 1;

    /// <summary>Decimal places of a percentage in every payload: 0.01 %.</summary>
    public const int PercentDigits = 2;

    private readonly ArrayBufferWriter<byte> _buffer = new(2048);
    private readonly Utf8JsonWriter _json;

    /// <summary>Creates a writer with its own buffer.</summary>
    /// <remarks>Strings are escaped only where JSON requires it (quotes as <c>\"</c>, not <c>\u0022</c>; control characters
    /// escaped; non-ASCII text kept as UTF-8): these payloads are never embedded in HTML.</remarks>
    public EdgeJson() => _json = new Utf8JsonWriter(_buffer, new JsonWriterOptions { Indented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    /// <inheritdoc />
    public void Dispose() => _json.Dispose();

    /// <summary>The state message of one window (docs/DESIGN.md §7).</summary>
    public ReadOnlySpan<byte> WriteState(StateWindow w, long unixMs, long outboxDrops, IStateExtension? extension = null)
    {
        Utf8JsonWriter j = Begin();
        CycleRecord last = w.Last;
        j.WriteString(Ts, Timestamp(unixMs));
        j.WriteNumber(Seq, last.Seq);
        WriteStat(j, LoadW, w.LoadW, 1);
        WriteStat(j, GridW, w.GridW, 1);
        WriteStat(j, BatteryW, w.BatteryW, 1);
        Number(j, GridTargetW, last.GridTargetW, 1);
        Number(j, BatterySetpointW, last.BatterySetpointW, 1);
        Number(j, SocPct, last.SocPct, 2);
        j.WriteString(Mode, NameOf(ModeNames, (int)last.Mode));
        j.WriteNumber(Flags, (uint)w.FlagsSeen);
        j.WriteStartArray(FlagNames);
        for (int bit = 0; bit < FlagBitNames.Length; bit++)
        {
            if (((uint)w.FlagsSeen & (1u << bit)) != 0)
            {
                j.WriteStringValue(FlagBitNames[bit]);
            }
        }

        j.WriteEndArray();
        j.WriteStartObject(Loop);
        j.WriteNumber(Cycles, w.Count);
        j.WriteStartObject(LatenessUs);
        Number(j, Mean, w.LatenessNs.Mean * 1e-3, 1);
        Number(j, Max, w.LatenessNs.Max * 1e-3, 1);
        j.WriteEndObject();
        j.WriteStartObject(ComputeUs);
        Number(j, Max, w.ComputeMaxNs * 1e-3, 1);
        j.WriteEndObject();
        j.WriteNumber(Overruns, last.Overruns);
        j.WriteEndObject();
        j.WriteStartObject(Dropped);
        j.WriteNumber(Ring, last.RingDrops);
        j.WriteNumber(OutboxName, outboxDrops);
        j.WriteEndObject();
        extension?.WriteState(j);
        return End();
    }

    /// <summary>Detail of one sensor.</summary>
    public ReadOnlySpan<byte> WriteSensor(JsonEncodedText id, in PowerReading r, long unixMs, long nowNs)
    {
        Utf8JsonWriter j = Begin();
        j.WriteString(Ts, Timestamp(unixMs));
        j.WriteString(Id, id);
        Number(j, PowerW, r.PowerW, 1);
        Number(j, VoltageV, r.BusVoltageV, 3);
        Number(j, CurrentA, r.CurrentA, 3);
        Number(j, AgeMs, r.TimestampNs > 0 ? Math.Max(0, nowNs - r.TimestampNs) * 1e-6 : double.NaN, 1); // a sampler may stamp a reading just after the snapshot
        j.WriteString(Health, NameOf(SensorHealthNames, (int)r.Health));
        return End();
    }

    /// <summary>
    /// Detail of one inverter. A <c>misconfigured</c> one (implausible device values) has <c>power_w</c> and
    /// <c>soc_pct</c> null: they are not facts (the alarm's <c>detail</c> names the point and what it read), as in
    /// Sparkplug's metrics.
    /// </summary>
    public ReadOnlySpan<byte> WriteInverter(JsonEncodedText id, in InverterState s, long unixMs, long nowNs)
    {
        bool trusted = s.Health != InverterHealth.Misconfigured;
        Utf8JsonWriter j = Begin();
        j.WriteString(Ts, Timestamp(unixMs));
        j.WriteString(Id, id);
        Number(j, PowerW, trusted ? s.MeasuredPowerW : double.NaN, 1);
        Number(j, SetpointW, s.LastSetpointW, 1);
        Number(j, SocPct, trusted ? s.SocPct : double.NaN, 2);
        Number(j, AllowedChargeW, s.AllowedChargeW, 1);
        Number(j, AllowedDischargeW, s.AllowedDischargeW, 1);
        Number(j, CapacityWh, s.CapacityWh, 1);
        Number(j, AgeMs, s.TimestampNs > 0 ? Math.Max(0, nowNs - s.TimestampNs) * 1e-6 : double.NaN, 1);
        j.WriteString(Health, NameOf(InverterHealthNames, (int)s.Health));
        return End();
    }

    /// <summary>One alarm event.</summary>
    public ReadOnlySpan<byte> WriteAlarm(in AlarmEvent e)
    {
        Utf8JsonWriter j = Begin();
        AlarmState a = e.Alarm;
        j.WriteString(Ts, Timestamp(e.UnixMs));
        j.WriteString(Id, a.EncodedId);
        if (a.EncodedSource is { } source)
        {
            j.WriteString(Source, source);
        }
        else
        {
            j.WriteNull(Source);
        }

        j.WriteString(Event, EventNames[(int)e.Kind]);
        j.WriteString(Severity, SeverityNames[(int)a.Severity]);
        j.WriteBoolean(Active, a.Active);
        j.WriteBoolean(Acked, a.Acknowledged);
        j.WriteString(Raised, Timestamp(a.RaisedUnixMs));
        if (a.Detail is { } detail)
        {
            j.WriteString(Detail, detail);
        }

        return End();
    }

    /// <summary>A command reply: <c>{"id":…,"ok":…,"error":…}</c>.</summary>
    public ReadOnlySpan<byte> WriteReply(string? id, bool ok, string? error)
    {
        Utf8JsonWriter j = Begin();
        if (id is null)
        {
            j.WriteNull(Id);
        }
        else
        {
            j.WriteString(Id, id);
        }

        j.WriteBoolean(Ok, ok);
        if (error is null)
        {
            j.WriteNull(Error);
        }
        else
        {
            j.WriteString(Error, error);
        }

        return End();
    }

    /// <summary>The retained status, <c>{"state","ts","site","node","version","started"}</c>: online, a clean stop's offline,
    /// and the Will's offline alike.</summary>
    public ReadOnlySpan<byte> WriteStatus(string state, string site, string node, string version, long startedUnixMs, long unixMs)
    {
        Utf8JsonWriter j = Begin();
        j.WriteString(State, state);
        j.WriteString(Ts, Timestamp(unixMs));
        j.WriteString(Site, site);
        j.WriteString(Node, node);
        j.WriteString(Version, version);
        j.WriteString(Started, Timestamp(startedUnixMs));
        return End();
    }

    /// <summary>
    /// The reply to an accepted <c>site-limit</c>: <c>{"id","ok":true,"error":null,"feasible","from_w","target_w",
    /// "ramp_w_per_s","starts_in_s","reach_s","duration_s","battery_holds_s","levers_w"}</c>.
    /// </summary>
    public ReadOnlySpan<byte> WriteSiteLimitReply(string id, in Commands.SiteLimitCommand r)
    {
        Utf8JsonWriter j = Begin();
        j.WriteString(Id, id);
        j.WriteBoolean(Ok, true);
        j.WriteNull(Error);
        if (r.Cancel)
        {
            j.WriteBoolean("cancelled"u8, true);
            return End();
        }

        j.WriteBoolean("feasible"u8, r.Feasible);
        Number(j, JsonEncodedText.Encode("from_w"), r.FromW, 1);
        Number(j, JsonEncodedText.Encode("target_w"), r.TargetW, 1);
        Number(j, JsonEncodedText.Encode("ramp_w_per_s"), r.RampWPerS, 3);
        Number(j, JsonEncodedText.Encode("starts_in_s"), r.StartsInS, 3);
        Number(j, JsonEncodedText.Encode("reach_s"), r.ReachS, 2);
        Number(j, JsonEncodedText.Encode("duration_s"), r.DurationS, 3);
        Number(j, JsonEncodedText.Encode("battery_holds_s"), Math.Min(r.BatteryHoldsS, 1e9), 1);
        Number(j, JsonEncodedText.Encode("levers_w"), r.LeversW, 1);
        return End();
    }

    private Utf8JsonWriter Begin()
    {
        _buffer.ResetWrittenCount();
        _json.Reset(_buffer);
        _json.WriteStartObject();
        return _json;
    }

    private ReadOnlySpan<byte> End()
    {
        _json.WriteEndObject();
        _json.Flush();
        return _buffer.WrittenSpan;
    }

    private static DateTime Timestamp(long unixMs) => DateTime.UnixEpoch.AddMilliseconds(unixMs);

    private static JsonEncodedText NameOf(JsonEncodedText[] names, int index) =>
        (uint)index < (uint)names.Length ? names[index] : Unknown;

    private static void WriteStat(Utf8JsonWriter j, JsonEncodedText name, in RunningStat s, int digits)
    {
        j.WriteStartObject(name);
        Number(j, Mean, s.Mean, digits);
        Number(j, Min, s.Min, digits);
        Number(j, Max, s.Max, digits);
        j.WriteEndObject();
    }

    /// <summary>
    /// Writes a power (W) as every payload does: rounded to 0.1 W (<see cref="PowerDigits"/>), null when not finite.
    /// For the sections other writers add to the state (<see cref="IStateExtension"/>). Allocation-free.
    /// </summary>
    public static void Power(Utf8JsonWriter j, ReadOnlySpan<byte> name, double watts) => Number(j, name, watts, PowerDigits);

    /// <summary>Writes a number rounded to <paramref name="digits"/> decimal places, null when not finite (JSON has no NaN).
    /// Allocation-free.</summary>
    public static void Number(Utf8JsonWriter j, ReadOnlySpan<byte> name, double value, int digits)
    {
        if (double.IsFinite(value))
        {
            j.WriteNumber(name, Math.Round(value, digits));
        }
        else
        {
            j.WriteNull(name);
        }
    }

    private static void Number(Utf8JsonWriter j, JsonEncodedText name, double value, int digits)
    {
        if (double.IsFinite(value))
        {
            j.WriteNumber(name, Math.Round(value, digits));
        }
        else
        {
            j.WriteNull(name);
        }
    }
}
