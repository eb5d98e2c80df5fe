using System.Text.Json;

namespace Edge.Rig.Tests.Faults;

/// <summary>
/// One captured <c>state</c> message (a 100 ms window), as the subscriber received it: <c>ArrivedS</c> on the
/// capture's clock, <c>TsUnixMs</c> Edge's own stamp (the window's last cycle) — on a loaded box arrival lags by seconds.
/// </summary>
internal readonly record struct StateRecord(
    double ArrivedS, long Seq, long Cycles, double GridMeanW, double GridTargetW, double BatteryMeanW, double BatterySetpointW,
    uint Flags, long Overruns, string Mode, long OutboxDrops, long TsUnixMs)
{
    /// <summary>Flags under which capacity, not the ramp, decides: saturated, at cap/floor, SoC limits, no usable battery.</summary>
    public const uint Saturated = (1 << 4) | (1 << 5) | (1 << 2) | (1 << 3) | (1 << 6) | (1 << 7) | BatteryUnavailable;
    public const uint BatteryUnavailable = 1 << 13;
    public const uint EmergencyStop = 1 << 14;

    public static StateRecord From(MqttCapture.Message m)
    {
        JsonElement j = m.Payload;
        JsonElement loop = j.GetProperty("loop");
        return new StateRecord(
            m.At.TotalSeconds, j.GetProperty("seq").GetInt64(), loop.GetProperty("cycles").GetInt64(),
            Num(j.GetProperty("grid_w"), "mean"), Num(j, "grid_target_w"), Num(j.GetProperty("battery_w"), "mean"), Num(j, "battery_setpoint_w"),
            j.GetProperty("flags").GetUInt32(), loop.GetProperty("overruns").GetInt64(), j.GetProperty("mode").GetString() ?? "",
            j.GetProperty("dropped").GetProperty("outbox").GetInt64(),
            j.GetProperty("ts").GetDateTimeOffset().ToUnixTimeMilliseconds());
    }

    public static List<StateRecord> All(MqttCapture capture) => capture.States().Select(From).ToList();

    /// <summary>
    /// Windows missing between consecutive records: each window's first cycle must follow the previous window's last
    /// (seq is the last cycle of a window, cycles its count). Returns (missing cycles, out-of-order or duplicate records).
    /// </summary>
    public static (long MissingCycles, int Disorder, int Gaps) Contiguity(IReadOnlyList<StateRecord> r)
    {
        long missing = 0;
        int disorder = 0, gaps = 0;
        for (int i = 1; i < r.Count; i++)
        {
            long expectedFirst = r[i - 1].Seq + 1, first = r[i].Seq - r[i].Cycles + 1;
            if (r[i].Seq <= r[i - 1].Seq)
            {
                disorder++;
            }
            else if (first != expectedFirst)
            {
                missing += first - expectedFirst;
                gaps++;
            }
        }

        return (missing, disorder, gaps);
    }

    /// <summary>Largest change of <paramref name="value"/> between samples ≤ 1 s apart, over [from, to) (s on <paramref name="time"/>).</summary>
    public static double LargestOneSecondMove<T>(IReadOnlyList<T> s, Func<T, double> time, Func<T, double> value, double from = double.MinValue, double to = double.MaxValue)
    {
        double largest = 0;
        for (int i = 0; i < s.Count; i++)
        {
            double ti = time(s[i]);
            if (ti < from || ti >= to || !double.IsFinite(value(s[i])))
            {
                continue;
            }

            for (int k = i + 1; k < s.Count && time(s[k]) - ti <= 1.0 && time(s[k]) < to; k++)
            {
                if (double.IsFinite(value(s[k])))
                {
                    largest = Math.Max(largest, Math.Abs(value(s[k]) - value(s[i])));
                }
            }
        }

        return largest;
    }

    private static double Num(JsonElement o, string name) =>
        o.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : double.NaN;
}
