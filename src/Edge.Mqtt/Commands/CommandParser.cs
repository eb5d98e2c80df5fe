using System.Text.Json;
using Edge.Core.Control;

namespace Edge.Mqtt.Commands;

/// <summary>
/// Strict schemas of the command payloads. A payload is one JSON object, UTF-8, no comments, no trailing commas, no
/// duplicate or unknown fields, every field of the right type; numbers finite. Common fields: <c>id</c> (1–64 of
/// <c>A–Z a–z 0–9 . _ : -</c>) and <c>expires_at</c> (ISO-8601 date-time with a UTC offset or Z).
/// <list type="bullet">
/// <item><c>mode</c>: <c>{"id","expires_at","mode":"auto"|"hold"|"standby"}</c></item>
/// <item><c>limits</c>: <c>{"id","expires_at"}</c> plus at least one of <c>ramp_up_w_per_s</c>, <c>ramp_down_w_per_s</c>,
/// <c>grid_cap_w</c>, <c>grid_floor_w</c>, <c>soc_target_pct</c> (numbers; fields left out keep their current value)</item>
/// <item><c>ack</c>: <c>{"id","expires_at","alarm":"&lt;alarm id&gt;"|"all","source"?:"&lt;device id&gt;"}</c></item>
/// <item><c>site-limit</c>: <c>{"id","expires_at"}</c> plus exactly one of <c>max_w</c> (≥ 0) and <c>reduce_pct</c>
/// (0–100], <c>duration_s</c> (0–86 400], optional <c>start_at</c> (ISO-8601 with offset; default now) and
/// <c>emergency_ramp_w_per_s</c>; or <c>"cancel":true</c> alone</item>
/// </list>
/// Every rejection names the field and what was expected.
/// </summary>
public static class CommandParser
{
    private const int MaxIdLength = 64;

    /// <summary>Parses <paramref name="payload"/> as command <paramref name="kind"/>.</summary>
    public static CommandParseResult Parse(CommandKind kind, ReadOnlySpan<byte> payload)
    {
        string? requestId = null;
        try
        {
            var reader = new Utf8JsonReader(payload, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow, AllowTrailingCommas = false, MaxDepth = 4 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return Fail(null, "payload must be a JSON object");
            }

            var c = new EdgeCommand { Kind = kind };
            bool haveId = false, haveExpiry = false, haveMode = false, haveAlarm = false, haveSource = false;
            bool haveMax = false, haveReduce = false, haveStart = false, haveDuration = false, haveRamp = false, haveCancel = false;
            c.SiteLimit = new SiteLimitCommand { MaxW = double.NaN, ReducePct = double.NaN, EmergencyRampWPerS = double.NaN, DurationS = double.NaN };
            double rampUp = double.NaN, rampDown = double.NaN, cap = double.NaN, floor = double.NaN, soc = double.NaN;
            while (true)
            {
                if (!reader.Read())
                {
                    return Fail(requestId, "payload is not valid JSON: unexpected end");
                }

                if (reader.TokenType == JsonTokenType.EndObject)
                {
                    break;
                }

                string? error;
                if (reader.ValueTextEquals("id"u8))
                {
                    error = Once(ref haveId, "id") ?? ReadId(ref reader, "id", out requestId);
                    c.RequestId = requestId!;
                }
                else if (reader.ValueTextEquals("expires_at"u8))
                {
                    error = Once(ref haveExpiry, "expires_at") ?? ReadExpiry(ref reader, out c.ExpiresUnixMs);
                }
                else if (kind == CommandKind.Mode && reader.ValueTextEquals("mode"u8))
                {
                    error = Once(ref haveMode, "mode") ?? ReadMode(ref reader, out c.Mode);
                }
                else if (kind == CommandKind.Limits && reader.ValueTextEquals("ramp_up_w_per_s"u8))
                {
                    error = LimitField(ref reader, ref c.LimitMask, LimitFields.RampUp, "ramp_up_w_per_s", out rampUp);
                }
                else if (kind == CommandKind.Limits && reader.ValueTextEquals("ramp_down_w_per_s"u8))
                {
                    error = LimitField(ref reader, ref c.LimitMask, LimitFields.RampDown, "ramp_down_w_per_s", out rampDown);
                }
                else if (kind == CommandKind.Limits && reader.ValueTextEquals("grid_cap_w"u8))
                {
                    error = LimitField(ref reader, ref c.LimitMask, LimitFields.GridCap, "grid_cap_w", out cap);
                }
                else if (kind == CommandKind.Limits && reader.ValueTextEquals("grid_floor_w"u8))
                {
                    error = LimitField(ref reader, ref c.LimitMask, LimitFields.GridFloor, "grid_floor_w", out floor);
                }
                else if (kind == CommandKind.Limits && reader.ValueTextEquals("soc_target_pct"u8))
                {
                    error = LimitField(ref reader, ref c.LimitMask, LimitFields.SocTarget, "soc_target_pct", out soc);
                }
                else if (kind == CommandKind.Ack && reader.ValueTextEquals("alarm"u8))
                {
                    error = Once(ref haveAlarm, "alarm") ?? ReadAlarmId(ref reader, out c.AlarmId);
                }
                else if (kind == CommandKind.Ack && reader.ValueTextEquals("source"u8))
                {
                    error = Once(ref haveSource, "source") ?? ReadId(ref reader, "source", out c.AlarmSource);
                }
                else if (kind == CommandKind.SiteLimit && reader.ValueTextEquals("max_w"u8))
                {
                    error = Once(ref haveMax, "max_w") ?? ReadNumber(ref reader, "max_w", 0, 1e12, out c.SiteLimit.MaxW);
                }
                else if (kind == CommandKind.SiteLimit && reader.ValueTextEquals("reduce_pct"u8))
                {
                    error = Once(ref haveReduce, "reduce_pct") ?? ReadNumber(ref reader, "reduce_pct", 0, 100, out c.SiteLimit.ReducePct)
                        ?? (c.SiteLimit.ReducePct > 0 ? null : "reduce_pct must be above 0");
                }
                else if (kind == CommandKind.SiteLimit && reader.ValueTextEquals("duration_s"u8))
                {
                    error = Once(ref haveDuration, "duration_s") ?? ReadNumber(ref reader, "duration_s", 0, 86_400, out c.SiteLimit.DurationS)
                        ?? (c.SiteLimit.DurationS > 0 ? null : "duration_s must be above 0");
                }
                else if (kind == CommandKind.SiteLimit && reader.ValueTextEquals("emergency_ramp_w_per_s"u8))
                {
                    error = Once(ref haveRamp, "emergency_ramp_w_per_s") ?? ReadNumber(ref reader, "emergency_ramp_w_per_s", 0, 1e12, out c.SiteLimit.EmergencyRampWPerS)
                        ?? (c.SiteLimit.EmergencyRampWPerS > 0 ? null : "emergency_ramp_w_per_s must be above 0");
                }
                else if (kind == CommandKind.SiteLimit && reader.ValueTextEquals("start_at"u8))
                {
                    error = Once(ref haveStart, "start_at") ?? ReadExpiry(ref reader, out c.SiteLimit.StartUnixMs);
                    error = error is null ? null : error.Replace("expires_at", "start_at", StringComparison.Ordinal);

                    // 0 means "not given" (now) to the processor: the epoch itself is a start long past.
                    error ??= c.SiteLimit.StartUnixMs > 0 ? null : "start_at is in the past: it must be from now to a few minutes ahead";
                }
                else if (kind == CommandKind.SiteLimit && reader.ValueTextEquals("cancel"u8))
                {
                    error = Once(ref haveCancel, "cancel") ?? (reader.Read() && reader.TokenType == JsonTokenType.True ? null : "cancel must be true (or left out)");
                    c.SiteLimit.Cancel = error is null;
                }
                else
                {
                    error = $"unknown field '{Truncate(reader.GetString())}'";
                }

                if (error is not null)
                {
                    return Fail(requestId, error);
                }
            }

            if (reader.Read())
            {
                return Fail(requestId, "payload has content after the JSON object");
            }

            if (!haveId)
            {
                return Fail(null, "missing field 'id'");
            }

            if (!haveExpiry)
            {
                return Fail(requestId, "missing field 'expires_at'");
            }

            switch (kind)
            {
                case CommandKind.Mode when !haveMode:
                    return Fail(requestId, "missing field 'mode'");
                case CommandKind.Limits when c.LimitMask == LimitFields.None:
                    return Fail(requestId, "give at least one of ramp_up_w_per_s, ramp_down_w_per_s, grid_cap_w, grid_floor_w, soc_target_pct");
                case CommandKind.Ack when !haveAlarm:
                    return Fail(requestId, "missing field 'alarm'");
                case CommandKind.SiteLimit when haveCancel && (haveMax || haveReduce || haveDuration || haveStart || haveRamp):
                    return Fail(requestId, "cancel stands alone: give no other field than id and expires_at");
                case CommandKind.SiteLimit when !haveCancel && haveMax == haveReduce:
                    return Fail(requestId, "give exactly one of max_w (at most P W) and reduce_pct (−X % of the grid power)");
                case CommandKind.SiteLimit when !haveCancel && !haveDuration:
                    return Fail(requestId, "missing field 'duration_s'");
                default:
                    break;
            }

            c.Limits = new ControllerLimits(rampUp, rampDown, cap, floor, soc);
            return new CommandParseResult(c, requestId, null);
        }
        catch (JsonException e)
        {
            return Fail(requestId, "payload is not valid JSON: " + FirstSentence(e.Message));
        }
        catch (InvalidOperationException e)
        {
            return Fail(requestId, "payload is not valid JSON: " + FirstSentence(e.Message));
        }
    }

    /// <summary>
    /// Best effort: the valid <c>id</c> of a top-level JSON object, or null. Used to put the id into replies to commands
    /// refused before their schema is checked (retained, not enabled). Never throws.
    /// </summary>
    public static string? TryPeekId(ReadOnlySpan<byte> payload)
    {
        try
        {
            var reader = new Utf8JsonReader(payload, new JsonReaderOptions { MaxDepth = 4 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("id"u8))
                {
                    return ReadId(ref reader, "id", out string? id) is null ? id : null;
                }

                reader.Read();
                reader.Skip();
            }
        }
        catch (JsonException)
        {
        }

        return null;
    }

    private static CommandParseResult Fail(string? requestId, string error) => new(default, requestId, error);

    private static string? Once(ref bool seen, string name)
    {
        if (seen)
        {
            return $"duplicate field '{name}'";
        }

        seen = true;
        return null;
    }

    private static string? ReadId(ref Utf8JsonReader reader, string name, out string? value)
    {
        value = null;
        string error = $"{name} must be a string of 1–{MaxIdLength} characters from A–Z a–z 0–9 . _ : -";
        if (!reader.Read() || reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped)
        {
            return error;
        }

        ReadOnlySpan<byte> v = reader.ValueSpan;
        if (v.Length is 0 or > MaxIdLength)
        {
            return error;
        }

        foreach (byte b in v)
        {
            if (!(char.IsAsciiLetterOrDigit((char)b) || b is (byte)'.' or (byte)'_' or (byte)':' or (byte)'-'))
            {
                return error;
            }
        }

        value = reader.GetString();
        return null;
    }

    private static string? ReadAlarmId(ref Utf8JsonReader reader, out string? value)
    {
        value = null;
        const string error = "alarm must be an alarm id (1–64 of a–z and _) or \"all\"";
        if (!reader.Read() || reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped)
        {
            return error;
        }

        ReadOnlySpan<byte> v = reader.ValueSpan;
        if (v.Length is 0 or > MaxIdLength)
        {
            return error;
        }

        foreach (byte b in v)
        {
            if (!(b is >= (byte)'a' and <= (byte)'z' || b == (byte)'_'))
            {
                return error;
            }
        }

        value = reader.GetString();
        return null;
    }

    private static string? ReadExpiry(ref Utf8JsonReader reader, out long unixMs)
    {
        unixMs = 0;
        const string error = "expires_at must be an ISO-8601 date-time string with a UTC offset, e.g. 2030-01-01T12:00:00Z";
        if (!reader.Read() || reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped)
        {
            return error;
        }

        ReadOnlySpan<byte> v = reader.ValueSpan;
        bool hasOffset = v.Length > 6 && (v[^1] == (byte)'Z' || (v[^3] == (byte)':' && v[^6] is (byte)'+' or (byte)'-'));
        if (!hasOffset || !reader.TryGetDateTimeOffset(out DateTimeOffset at))
        {
            return error;
        }

        unixMs = at.ToUnixTimeMilliseconds();
        return null;
    }

    private static string? ReadMode(ref Utf8JsonReader reader, out ControlMode mode)
    {
        mode = ControlMode.Auto;
        const string error = "mode must be one of \"auto\", \"hold\", \"standby\"";
        if (!reader.Read() || reader.TokenType != JsonTokenType.String)
        {
            return error;
        }

        if (reader.ValueTextEquals("auto"u8))
        {
            mode = ControlMode.Auto;
        }
        else if (reader.ValueTextEquals("hold"u8))
        {
            mode = ControlMode.Hold;
        }
        else if (reader.ValueTextEquals("standby"u8))
        {
            mode = ControlMode.Standby;
        }
        else
        {
            return error;
        }

        return null;
    }

    private static string? ReadNumber(ref Utf8JsonReader reader, string name, double min, double max, out double value)
    {
        value = double.NaN;
        if (!reader.Read() || reader.TokenType != JsonTokenType.Number)
        {
            return $"{name} must be a number";
        }

        if (!reader.TryGetDouble(out value) || !double.IsFinite(value))
        {
            return $"{name} must be a finite number";
        }

        if (value < min || value > max)
        {
            return FormattableString.Invariant($"{name} must be in [{min}, {max}]");
        }

        return CheckPrecision(reader.ValueSpan, value, name);
    }

    private static string? LimitField(ref Utf8JsonReader reader, ref LimitFields mask, LimitFields field, string name, out double value)
    {
        value = double.NaN;
        if ((mask & field) != 0)
        {
            return $"duplicate field '{name}'";
        }

        mask |= field;
        if (!reader.Read() || reader.TokenType != JsonTokenType.Number)
        {
            return $"{name} must be a number";
        }

        if (!reader.TryGetDouble(out value) || !double.IsFinite(value))
        {
            return $"{name} must be a finite number";
        }

        return CheckPrecision(reader.ValueSpan, value, name);
    }

    /// <summary>
    /// A number must mean what it says once it is a double: no more than 17 significant digits, no underflow to 0 (a
    /// <c>1e-400</c> cap would be a 0 W cap) and no subnormal value (below 2.2e-308, where precision is lost).
    /// </summary>
    internal static string? CheckPrecision(ReadOnlySpan<byte> literal, double value, string name)
    {
        int exponent = literal.IndexOfAny((byte)'e', (byte)'E');
        ReadOnlySpan<byte> mantissa = exponent >= 0 ? literal[..exponent] : literal;
        int first = -1, last = -1, digits = 0;
        for (int i = 0; i < mantissa.Length; i++)
        {
            byte b = mantissa[i];
            if (b is < (byte)'0' or > (byte)'9')
            {
                continue;
            }

            if (b != (byte)'0')
            {
                first = first < 0 ? digits : first;
                last = digits;
            }

            digits++;
        }

        int significant = first < 0 ? 0 : last - first + 1;
        if (significant > 17)
        {
            return $"{name} has {significant} significant digits; a double holds 17 (round the value)";
        }

        if (significant > 0 && value == 0)
        {
            return $"{name} = {Truncate(System.Text.Encoding.UTF8.GetString(literal))} is too small to represent (it would become 0)";
        }

        if (double.IsSubnormal(value))
        {
            return $"{name} = {Truncate(System.Text.Encoding.UTF8.GetString(literal))} is below 2.2e-308 (subnormal: precision lost)";
        }

        return null;
    }

    private static string Truncate(string? s) => s is null ? "" : s.Length <= 40 ? s : s[..40] + "…";

    private static string FirstSentence(string message)
    {
        int dot = message.IndexOf(". ", StringComparison.Ordinal);
        return dot > 0 ? message[..dot] : message;
    }
}

/// <summary>A parsed command, or why it was rejected (with the request id when it could be read).</summary>
/// <param name="Command">The command (valid when <paramref name="Error"/> is null).</param>
/// <param name="RequestId">The request id, when read before the error.</param>
/// <param name="Error">The rejection reason, or null.</param>
public readonly record struct CommandParseResult(EdgeCommand Command, string? RequestId, string? Error);
