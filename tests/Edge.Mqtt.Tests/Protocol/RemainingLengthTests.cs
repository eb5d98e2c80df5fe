using Edge.Mqtt.Protocol;

namespace Edge.Mqtt.Tests.Protocol;

public class RemainingLengthTests
{
    // Expected encodings from the table in MQTT 3.1.1 §2.2.3 (Table 2.4), not from the encoder.
    [Theory]
    [InlineData(0, new byte[] { 0x00 })]
    [InlineData(127, new byte[] { 0x7F })]
    [InlineData(128, new byte[] { 0x80, 0x01 })]
    [InlineData(16_383, new byte[] { 0xFF, 0x7F })]
    [InlineData(16_384, new byte[] { 0x80, 0x80, 0x01 })]
    [InlineData(2_097_151, new byte[] { 0xFF, 0xFF, 0x7F })]
    [InlineData(2_097_152, new byte[] { 0x80, 0x80, 0x80, 0x01 })]
    [InlineData(268_435_455, new byte[] { 0xFF, 0xFF, 0xFF, 0x7F })]
    public void Boundaries_encode_as_the_specification_table_and_decode_back(int value, byte[] expected)
    {
        var buffer = new byte[4];
        int n = RemainingLength.Write(buffer, value);
        Assert.Equal(expected, buffer[..n]);
        Assert.Equal(expected.Length, RemainingLength.SizeOf(value));

        Assert.Equal(DecodeStatus.Complete, RemainingLength.TryRead(expected, out int decoded, out int used, out string? error));
        Assert.Null(error);
        Assert.Equal(value, decoded);
        Assert.Equal(expected.Length, used);
    }

    [Fact]
    public void Above_the_maximum_cannot_be_encoded()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => RemainingLength.SizeOf(268_435_456));
        Assert.Throws<ArgumentOutOfRangeException>(() => RemainingLength.SizeOf(-1));
    }

    [Fact]
    public void A_fifth_byte_is_malformed()
    {
        Assert.Equal(DecodeStatus.Malformed, RemainingLength.TryRead(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0x7F }, out _, out _, out string? error));
        Assert.Contains("longer than 4 bytes", error);
    }

    [Theory]
    [InlineData(new byte[] { 0x80, 0x00 })]
    [InlineData(new byte[] { 0xFF, 0x80, 0x00 })]
    [InlineData(new byte[] { 0x80, 0x80, 0x80, 0x00 })]
    public void Non_minimal_encodings_are_malformed(byte[] bytes)
    {
        Assert.Equal(DecodeStatus.Malformed, RemainingLength.TryRead(bytes, out _, out _, out string? error));
        Assert.Contains("minimally", error);
    }

    [Theory]
    [InlineData(new byte[] { })]
    [InlineData(new byte[] { 0x80 })]
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF })]
    public void Incomplete_encodings_need_more_data(byte[] bytes) =>
        Assert.Equal(DecodeStatus.NeedMoreData, RemainingLength.TryRead(bytes, out _, out _, out _));
}
