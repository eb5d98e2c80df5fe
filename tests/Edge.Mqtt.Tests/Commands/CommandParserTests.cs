using System.Text;
using Edge.Core.Control;
using Edge.Mqtt.Commands;

namespace Edge.Mqtt.Tests.Commands;

public class CommandParserTests
{
    private const string Expiry = "\"expires_at\":\"2030-01-01T00:00:00Z\"";

    private static CommandParseResult Parse(CommandKind kind, string json) => CommandParser.Parse(kind, Encoding.UTF8.GetBytes(json));

    [Fact]
    public void Valid_commands_parse()
    {
        CommandParseResult mode = Parse(CommandKind.Mode, $$"""{"id":"op-1",{{Expiry}},"mode":"hold"}""");
        Assert.Null(mode.Error);
        Assert.Equal("op-1", mode.Command.RequestId);
        Assert.Equal(ControlMode.Hold, mode.Command.Mode);
        Assert.Equal(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds(), mode.Command.ExpiresUnixMs);

        CommandParseResult limits = Parse(CommandKind.Limits, """{"expires_at":"2030-01-01T02:00:00+02:00","id":"x","grid_cap_w":5e4,"ramp_up_w_per_s":100}""");
        Assert.Null(limits.Error);
        Assert.Equal(LimitFields.GridCap | LimitFields.RampUp, limits.Command.LimitMask);
        Assert.Equal(50_000, limits.Command.Limits.GridCapW);
        Assert.Equal(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds(), limits.Command.ExpiresUnixMs);

        CommandParseResult ack = Parse(CommandKind.Ack, $$"""{"id":"a",{{Expiry}},"alarm":"sensor_unhealthy","source":"rack-1"}""");
        Assert.Null(ack.Error);
        Assert.Equal("sensor_unhealthy", ack.Command.AlarmId);
        Assert.Equal("rack-1", ack.Command.AlarmSource);
    }

    [Theory]
    [InlineData(CommandKind.Mode, "", "not valid JSON")]
    [InlineData(CommandKind.Mode, "[]", "JSON object")]
    [InlineData(CommandKind.Mode, "\"mode\"", "JSON object")]
    [InlineData(CommandKind.Mode, "{\"id\":\"a\"," + Expiry + ",\"mode\":\"hold\"} x", "not valid JSON")]
    [InlineData(CommandKind.Mode, "{\"id\":\"a\"," + Expiry + ",\"mode\":\"hold\"}{}", "not valid JSON")]
    [InlineData(CommandKind.Mode, "{\"id\":\"a\"," + Expiry + ",\"mode\":\"hold\",}", "not valid JSON")]
    [InlineData(CommandKind.Mode, "{/*c*/\"id\":\"a\"," + Expiry + ",\"mode\":\"hold\"}", "not valid JSON")]
    [InlineData(CommandKind.Mode, "{\"id\":\"a\"," + Expiry + ",\"mode\":\"fault\"}", "mode must be one of")]
    [InlineData(CommandKind.Mode, "{\"id\":\"a\"," + Expiry + ",\"mode\":\"HOLD\"}", "mode must be one of")]
    [InlineData(CommandKind.Mode, "{\"id\":\"a\"," + Expiry + ",\"mode\":1}", "mode must be one of")]
    [InlineData(CommandKind.Mode, "{\"id\":\"a\"," + Expiry + "}", "missing field 'mode'")]
    [InlineData(CommandKind.Mode, "{" + Expiry + ",\"mode\":\"hold\"}", "missing field 'id'")]
    [InlineData(CommandKind.Mode, "{\"id\":\"a\",\"mode\":\"hold\"}", "missing field 'expires_at'")]
    [InlineData(CommandKind.Mode, "{\"id\":\"a\",\"id\":\"b\"," + Expiry + ",\"mode\":\"hold\"}", "duplicate field 'id'")]
    [InlineData(CommandKind.Mode, "{\"id\":\"a\"," + Expiry + ",\"mode\":\"hold\",\"extra\":1}", "unknown field 'extra'")]
    [InlineData(CommandKind.Mode, "{\"id\":\"a\"," + Expiry + ",\"grid_cap_w\":1,\"mode\":\"hold\"}", "unknown field 'grid_cap_w'")]
    [InlineData(CommandKind.Mode, "{\"id\":\"\"," + Expiry + ",\"mode\":\"hold\"}", "id must be")]
    [InlineData(CommandKind.Mode, "{\"id\":\"a b\"," + Expiry + ",\"mode\":\"hold\"}", "id must be")]
    [InlineData(CommandKind.Mode, "{\"id\":\"\\u0041\"," + Expiry + ",\"mode\":\"hold\"}", "id must be")]
    [InlineData(CommandKind.Mode, "{\"id\":7," + Expiry + ",\"mode\":\"hold\"}", "id must be")]
    [InlineData(CommandKind.Mode, "{\"id\":\"a\",\"expires_at\":\"2030-01-01T00:00:00\",\"mode\":\"hold\"}", "UTC offset")]
    [InlineData(CommandKind.Mode, "{\"id\":\"a\",\"expires_at\":\"tomorrow\",\"mode\":\"hold\"}", "UTC offset")]
    [InlineData(CommandKind.Mode, "{\"id\":\"a\",\"expires_at\":1893456000,\"mode\":\"hold\"}", "UTC offset")]
    [InlineData(CommandKind.Limits, "{\"id\":\"a\"," + Expiry + "}", "at least one")]
    [InlineData(CommandKind.Limits, "{\"id\":\"a\"," + Expiry + ",\"grid_cap_w\":\"1000\"}", "grid_cap_w must be a number")]
    [InlineData(CommandKind.Limits, "{\"id\":\"a\"," + Expiry + ",\"grid_cap_w\":\"NaN\"}", "grid_cap_w must be a number")]
    [InlineData(CommandKind.Limits, "{\"id\":\"a\"," + Expiry + ",\"grid_cap_w\":NaN}", "not valid JSON")]
    [InlineData(CommandKind.Limits, "{\"id\":\"a\"," + Expiry + ",\"grid_cap_w\":1e999}", "finite number")]
    [InlineData(CommandKind.Limits, "{\"id\":\"a\"," + Expiry + ",\"grid_cap_w\":null}", "must be a number")]
    [InlineData(CommandKind.Limits, "{\"id\":\"a\"," + Expiry + ",\"grid_cap_w\":[1]}", "must be a number")]
    [InlineData(CommandKind.Limits, "{\"id\":\"a\"," + Expiry + ",\"grid_cap_w\":{\"v\":1}}", "must be a number")]
    [InlineData(CommandKind.Limits, "{\"id\":\"a\"," + Expiry + ",\"grid_cap_w\":1,\"grid_cap_w\":2}", "duplicate field 'grid_cap_w'")]
    [InlineData(CommandKind.Ack, "{\"id\":\"a\"," + Expiry + "}", "missing field 'alarm'")]
    [InlineData(CommandKind.Ack, "{\"id\":\"a\"," + Expiry + ",\"alarm\":\"Bad-Id\"}", "alarm must be")]
    [InlineData(CommandKind.Ack, "{\"id\":\"a\"," + Expiry + ",\"alarm\":\"x\",\"source\":\"a/b\"}", "source must be")]
    [InlineData(CommandKind.SiteLimit, "{\"id\":\"a\"," + Expiry + ",\"max_w\":100,\"duration_s\":10,\"start_at\":\"1970-01-01T00:00:00Z\"}", "start_at is in the past")]
    public void Invalid_payloads_are_rejected_with_a_reason(CommandKind kind, string json, string reason)
    {
        CommandParseResult r = Parse(kind, json);
        Assert.NotNull(r.Error);
        Assert.Contains(reason, r.Error);
    }

    [Fact]
    public void Invalid_utf8_and_deep_nesting_are_rejected()
    {
        byte[] bad = [.. "{\"id\":\""u8, 0xC0, 0x80, .. "\"}"u8];
        Assert.NotNull(CommandParser.Parse(CommandKind.Mode, bad).Error);
        byte[] badName = [.. "{\""u8, 0xFF, .. "\":1}"u8];
        Assert.NotNull(CommandParser.Parse(CommandKind.Mode, badName).Error);
        string deep = "{\"id\":\"a\",\"x\":" + new string('[', 100) + new string(']', 100) + "}";
        Assert.NotNull(Parse(CommandKind.Mode, deep).Error);
    }
}
