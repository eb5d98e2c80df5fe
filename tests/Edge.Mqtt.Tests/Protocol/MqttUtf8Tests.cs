using System.Text;
using Edge.Mqtt.Protocol;

namespace Edge.Mqtt.Tests.Protocol;

public class MqttUtf8Tests
{
    [Theory]
    [InlineData("edge/site/node/state")]
    [InlineData("Ω/µ/中文")]
    [InlineData("emoji/😀")]
    [InlineData("")]
    public void Well_formed_strings_are_accepted(string text) => Assert.Null(MqttUtf8.Check(Encoding.UTF8.GetBytes(text)));

    [Theory]
    [InlineData(new byte[] { 0x00 }, "U+0000")]
    [InlineData(new byte[] { (byte)'a', 0x00, (byte)'b' }, "U+0000")]
    [InlineData(new byte[] { 0xC0, 0x80 }, "UTF-8")] // overlong U+0000
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 }, "UTF-8")] // UTF-16 surrogate D800 encoded
    [InlineData(new byte[] { 0xFF }, "UTF-8")]
    [InlineData(new byte[] { 0xE2, 0x82 }, "UTF-8")] // truncated sequence
    [InlineData(new byte[] { 0xF4, 0x90, 0x80, 0x80 }, "UTF-8")] // above U+10FFFF
    public void Ill_formed_strings_and_nul_are_rejected(byte[] bytes, string reason) =>
        Assert.Contains(reason, MqttUtf8.Check(bytes));

    [Fact]
    public void Outgoing_strings_with_nul_or_lone_surrogate_or_too_long_are_rejected()
    {
        Assert.NotNull(MqttUtf8.Check("a\0b"));
        Assert.NotNull(MqttUtf8.Check("a\uD800b"));
        Assert.NotNull(MqttUtf8.Check(new string('x', 65_536)));
        Assert.Null(MqttUtf8.Check(new string('x', 65_535)));
    }

    [Fact]
    public void Read_checks_the_length_prefix_against_the_packet()
    {
        Assert.NotNull(MqttUtf8.TryRead(new byte[] { 0x00 }, out _, out _));
        Assert.NotNull(MqttUtf8.TryRead(new byte[] { 0x00, 0x03, (byte)'a', (byte)'b' }, out _, out _));
        Assert.Null(MqttUtf8.TryRead(new byte[] { 0x00, 0x02, (byte)'a', (byte)'b', 0x99 }, out ReadOnlySpan<byte> text, out int used));
        Assert.Equal("ab", Encoding.UTF8.GetString(text));
        Assert.Equal(4, used);
    }

    [Theory]
    [InlineData("a/b", true)]
    [InlineData("a/+/c", false)]
    [InlineData("a/#", false)]
    [InlineData("", false)]
    public void Topic_names_may_not_be_empty_or_hold_wildcards(string topic, bool valid) =>
        Assert.Equal(valid, MqttUtf8.CheckTopicName(topic) is null);

    [Theory]
    [InlineData("a/b", true)]
    [InlineData("#", true)]
    [InlineData("a/#", true)]
    [InlineData("+", true)]
    [InlineData("+/b/+", true)]
    [InlineData("a/#/c", false)]
    [InlineData("a#", false)]
    [InlineData("a+/b", false)]
    [InlineData("a/b+", false)]
    [InlineData("", false)]
    public void Topic_filters_follow_the_wildcard_rules(string filter, bool valid) =>
        Assert.Equal(valid, MqttUtf8.CheckTopicFilter(filter) is null);
}
